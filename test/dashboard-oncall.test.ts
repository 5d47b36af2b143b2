import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { INGESTER_URL, QUERY_URL } from './roles.ts';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const COUNT = 120;
const SPACING_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

async function ingest(logs: object[]): Promise<void> {
  const response = await fetch(`${INGESTER_URL}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logs) });
  if (response.status !== 202) throw new Error(`ingester answered ${response.status}: ${await response.text()}`);
}

/** One hour of logs from `base` on, from four resources; every fourth an error. */
function makeLogs(base: number, run: string) {
  return Array.from({ length: COUNT }, (_, i) => ({
    level: i % 4 === 0 ? 'error' : 'info',
    message: i % 4 === 0 ? `payment declined for order ${i}` : `request ${i} served`,
    timestamp: new Date(base + i * SPACING_MS).toISOString(),
    resourceId: `oncall-${run}-${i % 4}`,
    metadata: { region: i % 2 ? 'eu-west' : 'us-east' },
  }));
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}oncall-${name}.png` });
/** The count alone, without the search's timing. */
const totalText = async (page: Page) => (await page.getByTestId('total').innerText()).split(' · ')[0];

/** The page scrolls no wider than its window. */
async function expectNoHorizontalOverflow(page: Page) {
  // As text: the tests' TypeScript has no DOM types.
  const widths = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
  expect(widths.scroll, `page ${page.url()} is ${widths.scroll} px wide`).toBeLessThanOrEqual(widths.client);
}

/** Inside the window's width once scrolled to, and clickable there (Playwright's actionability checks, no click). */
async function expectReachable(control: Locator, name: string) {
  await control.scrollIntoViewIfNeeded();
  const box = (await control.boundingBox())!;
  const viewport = control.page().viewportSize()!;
  expect(box, name).not.toBeNull();
  expect(box.x, `${name} starts inside the window`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${name} ends inside the window`).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box.y + box.height, `${name} is on screen`).toBeLessThanOrEqual(viewport.height + 0.5);
  await control.click({ trial: true, timeout: 5_000 });
}

/**
 * Items 4, 6, 7 and 8 of issue 19 in Debian's Chromium: time controls and zone, the query bar,
 * the live tail at 1440×900, then every view at 390×844.
 */
describe('the dashboard for the engineer on call, at 1440×900 and 390×844', () => {
  let pipeline: QueryPipeline;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  let rangeQuery: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    pipeline = await startQueryPipeline('oncall', ['ingester', 'es-sink', 'pg-sink', 'query']);
    await ingest(makeLogs(pipeline.base, pipeline.run));
    await pipeline.waitSearchable({ prefix: { resourceId: `oncall-${pipeline.run}-` } }, COUNT);
    rangeQuery = `from=${new Date(pipeline.base).toISOString()}&to=${new Date(pipeline.base + COUNT * SPACING_MS).toISOString()}`;
    browser = await launchChromium();
    // A zone other than UTC, so that a time shown in the browser's zone differs from UTC.
    desktop = await browser.newContext({ viewport: DESKTOP, timezoneId: 'America/New_York' });
    page = await desktop.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${error.message} ${error.stack ?? ''}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  it('completes field names and top values, marks errors where typed, and lets level: in the query decide the level', async () => {
    await page.goto(`${QUERY_URL}/search?${rangeQuery}`);
    await expect.poll(() => totalText(page), { timeout: 15_000 }).toBe(`${COUNT} logs`);
    const query = page.getByLabel('Query', { exact: true });
    await query.click();
    await query.pressSequentially('reso');
    await expect.poll(() => page.getByTestId('query-suggestions').innerText()).toContain('resourceId');
    await query.press('Enter');
    expect(await query.inputValue()).toBe('resourceId:');
    // The top values of the field, with their counts, for this search.
    await expect.poll(() => page.getByTestId('query-suggestions').innerText(), { timeout: 10_000 }).toContain(`oncall-${pipeline.run}-0`);
    await shot(page, 'autocomplete');
    await page.getByRole('option', { name: new RegExp(`oncall-${pipeline.run}-1`) }).click();
    expect(await query.inputValue()).toBe(`resourceId:oncall-${pipeline.run}-1 `);
    await query.press('Escape');
    await page.getByTestId('search-button').click();
    await expect.poll(() => totalText(page), { timeout: 15_000 }).toBe(`${COUNT / 4} logs`);
    expect(await page.getByTestId('took').count()).toBe(1);

    // An unknown field only the server knows: marked on the character typed, the timing gone.
    await query.fill('levl:error');
    await query.press('Escape');
    await page.getByTestId('search-button').click();
    const error = page.getByTestId('query-error');
    await expect.poll(() => error.innerText()).toContain("unknown field 'levl'");
    expect(await error.locator('mark').innerText()).toBe('l');
    expect(await error.innerText()).toContain('at position 0');
    expect(await page.getByTestId('took').count()).toBe(0);

    // level: in the query decides: the drop-down stands aside, and the query's levels are what count.
    await query.fill('level:error');
    await query.press('Escape');
    await page.getByTestId('search-button').click();
    await expect.poll(() => totalText(page), { timeout: 15_000 }).toBe(`${COUNT / 4} logs`);
    expect(await page.getByTestId('levels').locator('.n-base-selection--disabled').count()).toBe(1);
    expect(await page.getByTestId('levels').innerText()).toContain('set by the query');
  });

  it('shows times in the chosen zone everywhere, shifts the range, takes a typed range and refreshes by itself', async () => {
    await page.goto(`${QUERY_URL}/search?${rangeQuery}&sort=asc`);
    const firstTime = () => page.getByTestId('log-row').first().locator('.cell.timestamp').innerText();
    await expect.poll(firstTime, { timeout: 15_000 }).toBe(new Date(pipeline.base).toISOString().replace('T', ' ').replace('Z', ''));
    expect(await page.getByTestId('time-range').innerText()).toContain('UTC');
    await page.getByTestId('time-zone').click();
    await page.locator('.n-base-select-option', { hasText: /^Local$/ }).click();
    // New York is 5 hours behind UTC in winter and 4 in summer: the first log, in its wall clock.
    const local = new Date(pipeline.base).toLocaleString('sv-SE', { timeZone: 'America/New_York' });
    await expect.poll(firstTime).toContain(local);
    expect(await page.locator('[role=columnheader]', { hasText: 'Time' }).innerText()).toMatch(/UTC-0[45]:00/);
    expect(await page.getByTestId('time-range').innerText()).toContain('America/New_York');
    await shot(page, 'local-zone');
    // The setting is kept: a reload keeps it.
    await page.reload();
    await expect.poll(firstTime, { timeout: 15_000 }).toContain(local);
    await page.getByTestId('time-zone').click();
    await page.locator('.n-base-select-option', { hasText: /^UTC$/ }).click();

    // One span later: the next hour, which holds nothing yet.
    await page.getByTestId('shift-later').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(new Date(pipeline.base + COUNT * SPACING_MS).toISOString());
    await page.getByTestId('shift-earlier').click();
    await expect.poll(() => totalText(page), { timeout: 15_000 }).toBe(`${COUNT} logs`);

    // A typed relative range goes into the URL as it was typed.
    await page.getByTestId('time-range').click();
    await page.getByLabel('From (relative)').fill('now-3h');
    await page.getByTestId('apply-typed-range').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe('now-3h');
    expect(await page.getByTestId('time-range').innerText()).toBe('now-3h → now');
    await page.goBack();
    await expect.poll(() => totalText(page), { timeout: 15_000 }).toBe(`${COUNT} logs`);

    // Auto-refresh every 5 s: a log that arrives in the range shows up without a click.
    await page.getByTestId('auto-refresh').click();
    await page.locator('.n-base-select-option', { hasText: 'Refresh 5 s' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('refresh')).toBe('5s');
    await ingest([{ level: 'warn', message: 'late arrival', timestamp: new Date(pipeline.base + 1_000).toISOString(), resourceId: `oncall-${pipeline.run}-late` }]);
    await expect.poll(() => totalText(page), { timeout: 30_000 }).toBe(`${COUNT + 1} logs`);
    await page.getByTestId('auto-refresh').click();
    await page.locator('.n-base-select-option', { hasText: 'Refresh off' }).click();
  });

  it('tails new logs in time order within a batch, highlighted, with the histogram kept and no freshness nagging', async () => {
    await page.goto(`${QUERY_URL}/search?q=${encodeURIComponent('"checkout failed"')}&range=15m&live=1`);
    await expect.poll(() => page.getByTestId('live-status').innerText(), { timeout: 15_000 }).toContain('live');
    // The chart's code is fetched once the first answer came: it may still be on its way when the tail is live.
    await expect.poll(() => page.getByTestId('histogram').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('freshness').count()).toBe(0);
    const now = Date.now();
    // One request, so one batch for the tail; its timestamps are out of order.
    const offsets = [3, 1, 4, 2];
    await ingest(
      offsets.map((s) => ({
        level: 'error',
        message: `checkout failed ${pipeline.run} #${s}`,
        timestamp: new Date(now - 10_000 + s * 1_000).toISOString(),
        resourceId: `oncall-${pipeline.run}-tail`,
      })),
    );
    // Other runs' tails may have left logs of the last 15 minutes: only this run's count.
    const ours = async () => (await page.getByTestId('log-row').locator('.cell.message').allInnerTexts()).filter((m) => m.includes(pipeline.run));
    await expect.poll(ours, { timeout: 30_000 }).toHaveLength(4);
    expect(await ours()).toEqual([4, 3, 2, 1].map((s) => `checkout failed ${pipeline.run} #${s}`));
    expect(await page.getByTestId('log-row').first().locator('mark').first().innerText()).toBe('checkout failed');
    expect(await page.getByTestId('histogram').count()).toBe(1);
    await shot(page, 'live-tail');
    await page.getByTestId('live-toggle').click();
  });

  it('fits every view into 390×844: controls reachable, the message column visible, the context drawer full width', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    small.on('pageerror', (error) => pageErrors.push(`${error.message} ${error.stack ?? ''}`));
    try {
      await small.goto(`${QUERY_URL}/search?${rangeQuery}`);
      await expect.poll(() => totalText(small), { timeout: 15_000 }).toMatch(/^12\d logs/);
      await expectNoHorizontalOverflow(small);
      for (const [name, control] of [
        ['Query', small.getByLabel('Query', { exact: true })],
        ['Search', small.getByTestId('search-button')],
        ['Levels', small.getByTestId('levels')],
        ['Time range', small.getByTestId('time-range')],
        ['Earlier', small.getByTestId('shift-earlier')],
        ['Later', small.getByTestId('shift-later')],
        ['Auto-refresh', small.getByTestId('auto-refresh')],
        ['Live tail', small.getByTestId('live-toggle')],
        ['Columns', small.getByTestId('columns')],
        ['Saved', small.getByTestId('saved-searches')],
        ['Export NDJSON', small.getByTestId('export-ndjson')],
        ['CSV', small.getByTestId('export-csv')],
      ] as const) {
        await expectReachable(control, name);
      }
      const header = small.locator('[role=columnheader]', { hasText: 'Message' });
      await expectReachable(header, 'Message header');
      const message = small.getByTestId('log-row').first().locator('.cell.message');
      const box = (await message.boundingBox())!;
      expect(box.width, 'the message keeps room on a phone').toBeGreaterThanOrEqual(100);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width + 0.5);
      await small.evaluate('window.scrollTo(0, 0)');
      await shot(small, 'phone-search');

      await small.getByTestId('log-row').first().getByRole('row').click();
      await small.getByTestId('open-context').first().click();
      await small.getByTestId('context').waitFor();
      const drawer = (await small.locator('.n-drawer').boundingBox())!;
      expect(drawer.width).toBeLessThanOrEqual(PHONE.width + 0.5);
      expect(drawer.x).toBeGreaterThanOrEqual(0);
      await shot(small, 'phone-context');
      await small.keyboard.press('Escape');

      await small.goto(`${QUERY_URL}/sql`);
      await small.getByLabel('SQL statement').fill('SELECT level, count(*) AS logs FROM logs GROUP BY level ORDER BY logs DESC');
      await expectReachable(small.getByTestId('run-sql'), 'Run');
      await small.getByTestId('run-sql').click();
      await small.getByTestId('sql-result').waitFor();
      await small.getByTestId('sql-chart').waitFor();
      await expectNoHorizontalOverflow(small);
      await small.locator('.schema-summary').click();
      await expect.poll(() => small.getByTestId('sql-schema').innerText(), { timeout: 10_000 }).toContain('resource_id');
      await small.getByLabel('SQL statement').fill('SELECT level FROM logz');
      await small.getByTestId('run-sql').click();
      await expect.poll(() => small.getByTestId('sql-error-position').innerText()).toContain('column 19');
      expect(await small.getByTestId('sql-error-position').locator('mark').innerText()).toBe('l');
      await shot(small, 'phone-sql');

      for (const [path, control, name] of [
        ['/admin', 'start-reconcile', 'admin'],
        ['/admin/keys', 'create-key', 'keys'],
        ['/admin/audit', 'audit-log', 'audit'],
      ] as const) {
        await small.goto(`${QUERY_URL}${path}`);
        await small.getByTestId(control).waitFor({ timeout: 15_000 });
        if (path === '/admin') await small.getByTestId('pipeline-verdict').waitFor({ timeout: 15_000 });
        await expectNoHorizontalOverflow(small);
        if (path !== '/admin/audit') await expectReachable(small.getByTestId(control), name);
        await small.evaluate('window.scrollTo(0, 0)');
        await shot(small, `phone-${name}`);
      }
      // Table cells keep their words: no column squeezed to a letter a line.
      await small.goto(`${QUERY_URL}/admin`);
      await small.getByTestId('job-list').waitFor();
      const nameCell = small.locator('[data-testid=pipeline-health] .n-data-table-th').first();
      expect((await nameCell.boundingBox())!.height).toBeLessThan(60);

      await small.goto(`${QUERY_URL}/login`);
      await small.getByLabel('API key', { exact: true }).waitFor();
      await expectNoHorizontalOverflow(small);
      await expectReachable(small.getByLabel('API key', { exact: true }), 'API key');
      await shot(small, 'phone-login');
    } finally {
      await phone.close();
    }
    await page.goto(`${QUERY_URL}/search?${rangeQuery}`);
    await page.getByTestId('log-row').first().waitFor();
    await expectNoHorizontalOverflow(page);
    await shot(page, 'desktop-search');
    expect(pageErrors).toEqual([]);
  });
});
