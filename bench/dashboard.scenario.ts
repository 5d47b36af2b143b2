import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../test/browser.ts';
import { builtScripts, gzippedBytes } from './bundle-size.ts';
import { FIRST_ROWS_PROBE, FIRST_ROWS_READY, HISTOGRAM_DRAWN, NAVIGATION_TIMING, SCRIPT_BYTES_SENT, scrollThrough, type NavigationTiming, type ScrollFrames } from './dashboard-probes.ts';
import { FIXTURE_FROM, FIXTURE_TO, withFixtureAndQuery } from './query-fixture.ts';
import { summary } from './stats.ts';

/** Away from the tests' ports and the query benchmark's. */
const PORT = 25_500;
const BASE = `http://127.0.0.1:${PORT}`;
const ASSETS = fileURLToPath(new URL('../web/dist/assets', import.meta.url));
/** The search view opened on the fixture's whole week: every one of its logs matches. */
const SEARCH_URL = `${BASE}/search?from=${new Date(FIXTURE_FROM).toISOString()}&to=${new Date(FIXTURE_TO).toISOString()}`;
const VIEWPORT = { width: 1280, height: 800 };
/** The probes are strings evaluated in the page, which the dashboard's CSP (no eval) refuses: the bench's contexts bypass it. */
const CONTEXT = { viewport: VIEWPORT, bypassCSP: true };
/** ResultsList's collapsed row height. */
const ROW_HEIGHT = 31;
const SCROLL_ROWS = 10_000;

const USAGE = `Usage: npm run bench -- dashboard [count] [--runs N] [--keep] [--drop]
  count   logs in the fixture (default 1000000, the query benchmark's; an existing one of that size is reused)
  --runs  page loads per case, cold and warm (default 7)
  --keep  leave the fixture in place for the next run (default: drop it at the end)
  --drop  only drop the fixture`;

const ms = (n: number | null) => (n === null ? '—' : `${Math.round(n)}`);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

interface Load extends NavigationTiming {
  /** JavaScript over the network, once the histogram is drawn too (its chunk loads after the first rows). */
  scriptBytesSent: number;
  /** The baseline: the same search request from Node just before this load, under the same load of the machine. */
  rawSearchMs: number;
}

/** The search request the page makes, from Node: what the first paint cannot beat. */
async function rawSearch(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

/** One navigation to the search view in `context`, timed in the page from navigation start. */
async function openSearch(context: BrowserContext, searchUrl: string, scripts?: Set<string>): Promise<Load> {
  const rawSearchMs = await rawSearch(searchUrl);
  const page = await context.newPage();
  if (scripts) page.on('response', (response) => response.url().endsWith('.js') && scripts.add(new URL(response.url()).pathname));
  await page.addInitScript(FIRST_ROWS_PROBE);
  await page.goto(SEARCH_URL, { waitUntil: 'commit' });
  await page.waitForFunction(FIRST_ROWS_READY, undefined, { timeout: 60_000 });
  const timing = await page.evaluate<NavigationTiming>(NAVIGATION_TIMING);
  await page.waitForFunction(HISTOGRAM_DRAWN, undefined, { timeout: 60_000 });
  const scriptBytesSent = await page.evaluate<number>(SCRIPT_BYTES_SENT);
  await page.close();
  return { ...timing, scriptBytesSent, rawSearchMs };
}

/** The URL of the view's first search request, from a load that also warms the query service and Elasticsearch. */
async function firstSearchUrl(browser: Browser): Promise<string> {
  const context = await browser.newContext(CONTEXT);
  const page = await context.newPage();
  await page.goto(SEARCH_URL);
  await page.getByTestId('log-row').first().waitFor();
  const { searchUrl } = await page.evaluate<NavigationTiming>(NAVIGATION_TIMING);
  await context.close();
  if (!searchUrl) throw new Error('the search view made no /api/logs/search request');
  return searchUrl;
}

/** A new browser context per load: nothing cached, as on a first visit. */
async function coldLoads(browser: Browser, searchUrl: string, runs: number, scripts: Set<string>): Promise<Load[]> {
  const timings: Load[] = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext(CONTEXT);
    timings.push(await openSearch(context, searchUrl, scripts));
    await context.close();
  }
  return timings;
}

/** One context, primed by a first load: the scripts come from its cache, as for a returning user. */
async function warmLoads(browser: Browser, searchUrl: string, runs: number): Promise<Load[]> {
  const context = await browser.newContext(CONTEXT);
  await openSearch(context, searchUrl);
  const timings: Load[] = [];
  for (let i = 0; i < runs; i += 1) timings.push(await openSearch(context, searchUrl));
  await context.close();
  return timings;
}

async function scrollFrames(browser: Browser): Promise<ScrollFrames> {
  const context = await browser.newContext(CONTEXT);
  const page = await context.newPage();
  await page.goto(SEARCH_URL);
  await page.getByTestId('log-row').first().waitFor();
  const result = await page.evaluate<ScrollFrames>(scrollThrough(SCROLL_ROWS, ROW_HEIGHT, 180_000));
  await context.close();
  return result;
}

function printLoads(label: string, timings: Load[]) {
  const median = (values: number[]) => summary(values).median;
  const first = summary(timings.map((t) => t.firstRows));
  const fcp = median(timings.map((t) => t.firstContentfulPaint ?? Number.NaN));
  const start = median(timings.map((t) => t.searchStart ?? Number.NaN));
  const request = median(timings.map((t) => (t.searchEnd ?? Number.NaN) - (t.searchStart ?? Number.NaN)));
  const raw = median(timings.map((t) => t.rawSearchMs));
  const overRaw = median(timings.map((t) => t.firstRows / t.rawSearchMs));
  const overShell = median(timings.map((t) => t.firstRows / (t.firstContentfulPaint ?? Number.NaN)));
  console.log(
    `${label}: first rows painted median ${ms(first.median)} ms, p95 ${ms(first.p95)} (min ${ms(first.min)}, max ${ms(first.max)})\n` +
      `  shell painted at ${ms(fcp)}; search request sent at ${ms(start)}, took ${ms(request)} in the page (${ms(raw)} from Node just before); ` +
      `${kib(median(timings.map((t) => t.scriptBytesSent)))} of JavaScript over the network\n` +
      `  first rows / raw search request ${overRaw.toFixed(1)}×, first rows / shell paint ${overShell.toFixed(2)}× (medians of each load's ratio)`,
  );
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { runs: { type: 'string', default: '7' }, keep: { type: 'boolean' }, drop: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(positionals[0] ?? 1_000_000);
  const runs = Number(values.runs);
  const run = { name: 'dashboard', count, withPostgres: true, keep: Boolean(values.keep), drop: Boolean(values.drop), queryPort: PORT };
  await withFixtureAndQuery(run, async () => {
    execFileSync('npm', ['run', 'build', '-w', 'web'], { stdio: 'ignore' });
    const browser = await launchChromium();
    try {
      const searchUrl = await firstSearchUrl(browser);
      const scripts = new Set<string>();
      const cold = await coldLoads(browser, searchUrl, runs, scripts);
      const warm = await warmLoads(browser, searchUrl, runs);
      const scroll = await scrollFrames(browser);

      const all = builtScripts(ASSETS);
      console.log(
        `\nDashboard benchmark: the search view over ${count.toLocaleString('en-US')} logs (all of them in the range opened), ${runs} loads per case, Chromium ${browser.version()}, ${VIEWPORT.width}×${VIEWPORT.height}\n`,
      );
      console.log(`JavaScript, gzipped: every page ${kib(gzippedBytes(ASSETS, all))} (${all.length} files); the search view loads ${kib(gzippedBytes(ASSETS, [...scripts]))} (${scripts.size} files)`);
      printLoads('cold (new browser context)', cold);
      printLoads('warm (scripts cached)', warm);
      const frames = summary(scroll.frames);
      const slow = scroll.frames.filter((frame) => frame > 50).length;
      console.log(
        `scroll through ${scroll.rowsScrolled.toLocaleString('en-US')} rows (${scroll.rowsLoaded.toLocaleString('en-US')} loaded by cursor, ${scroll.rowsInPage} in the page at the end) in ${scroll.seconds.toFixed(1)} s: ` +
          `frame median ${frames.median.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)}, max ${frames.max.toFixed(0)}; ${slow} of ${scroll.frames.length} frames over 50 ms`,
      );
    } finally {
      await browser.close();
    }
  });
}
