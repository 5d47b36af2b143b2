import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { createInstallation, makeRecords, type Installation } from './installation.ts';
import { startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { createApiKey, INGESTER_URL, QUERY_URL, revokeApiKey, startRole, type RunningRole } from './roles.ts';

const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const COUNT = 240;
const SPACING_MS = 12_000;
const LEVEL_CYCLE = ['info', 'info', 'info', 'warn', 'error'] as const;
const ERRORS = COUNT / LEVEL_CYCLE.length;

/** 48 minutes of logs from `base` on: every fifth an error "Failed to connect to DB". */
function makeLogs(base: number, run: string) {
  return Array.from({ length: COUNT }, (_, i) => {
    const level = LEVEL_CYCLE[i % LEVEL_CYCLE.length]!;
    const message = level === 'error' ? `Failed to connect to DB after ${i} ms` : level === 'warn' ? `slow request ${i}` : `request ${i} served`;
    return { level, message, timestamp: new Date(base + i * SPACING_MS).toISOString(), resourceId: `dash-${run}-${i % 4}`, traceId: `trace-${i}`, metadata: { region: i % 2 ? 'eu' : 'us' } };
  });
}

async function ingest(logs: object[]): Promise<void> {
  const response = await fetch(`${INGESTER_URL}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(logs) });
  if (response.status !== 202) throw new Error(`ingester answered ${response.status}: ${await response.text()}`);
}

const totalText = (page: Page) => page.getByTestId('total').innerText();
const totalOf = async (page: Page) => Number((await totalText(page)).split(' ')[0]!.replace(/,/g, ''));
async function expectTotal(page: Page, total: number) {
  await expect.poll(() => totalText(page), { timeout: 15_000 }).toMatch(new RegExp(`^${total.toLocaleString('en')} logs`));
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });

/**
 * Search runs on the shared stores (the pipeline's own topic, logs in a random stretch of the
 * 1990s that the view is opened on); the admin part runs on an installation of its own, since a
 * reconcile acts on a whole installation.
 */
describe('the dashboard in Chromium against the running pipeline', () => {
  let pipeline: QueryPipeline;
  let lf: Installation | undefined;
  const adminRoles: RunningRole[] = [];
  let browser: Browser;
  let page: Page;
  let searchUrl: string;
  const pageErrors: string[] = [];
  /** What the browser refused under the Content-Security-Policy: the policy must let the dashboard do all it does. */
  const cspViolations: string[] = [];
  /** Keys of the admin installation to revoke at the end, should a test stop before it revoked them (a scoped one has a Postgres login). */
  const keysToRevoke: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    pipeline = await startQueryPipeline('dashboard', ['ingester', 'es-sink', 'pg-sink', 'query']);
    await ingest(makeLogs(pipeline.base, pipeline.run));
    await pipeline.waitSearchable({ prefix: { resourceId: `dash-${pipeline.run}-` } }, COUNT);
    const range = { from: new Date(pipeline.base).toISOString(), to: new Date(pipeline.base + COUNT * SPACING_MS).toISOString() };
    searchUrl = `${QUERY_URL}/search?from=${range.from}&to=${range.to}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(adminRoles.map((role) => role.stop()));
    for (const id of keysToRevoke) await revokeApiKey(id, lf!.env).catch(() => undefined);
    await pipeline?.close();
    await lf?.close();
  });

  it('opens the search view from a link and paints the first results', async () => {
    const started = Date.now();
    const served = await page.goto(searchUrl);
    // The inline early script runs by its hash (a refusal would be in cspViolations).
    expect(served!.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[^']+'/);
    await page.getByTestId('log-row').first().waitFor();
    const cold = Date.now() - started;
    await expectTotal(page, COUNT);
    // Again with the scripts cached, as for a returning user.
    const again = Date.now();
    await page.reload();
    await page.getByTestId('log-row').first().waitFor();
    console.log(`first results painted ${cold} ms after navigation (cold), ${Date.now() - again} ms (reload)`);
    // Every log of the range is searchable (waited for above) and the ES sink has consumed its topic: the badge must say so.
    await expect.poll(() => page.getByTestId('freshness').innerText(), { timeout: 30_000 }).toBe('search is up to date');
    await shot(page, 'search');
  });

  it('searches by level with the multi-select', async () => {
    await page.getByTestId('levels').click();
    await page.locator('.n-base-select-option', { hasText: /^error$/ }).click();
    await page.keyboard.press('Escape');
    await expectTotal(page, ERRORS);
    expect(new URL(page.url()).searchParams.get('level')).toBe('error');
  });

  it('searches a phrase, highlights it, and shows a syntax error where it is', async () => {
    const query = page.getByLabel('Query', { exact: true });
    await query.fill('level:error AND');
    await query.press('Enter');
    await expect.poll(() => page.getByTestId('query-error').innerText()).toContain('expected a clause after AND');
    await query.fill('"Failed to connect"');
    await query.press('Enter');
    await expectTotal(page, ERRORS);
    expect(await page.locator('[data-testid=log-row] mark').first().innerText()).toMatch(/Failed|connect/);
    await shot(page, 'search-phrase');
  });

  it('zooms the time range by dragging across the histogram', async () => {
    const canvas = page.locator('[data-testid=histogram] canvas').first();
    const box = (await canvas.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get('from'), { timeout: 10_000 }).not.toBeNull();
    await expect.poll(() => totalOf(page), { timeout: 15_000 }).toBeLessThan(ERRORS);
    expect(await totalOf(page)).toBeGreaterThan(0);
    await shot(page, 'search-zoomed');
  });

  it('expands a log and opens its context', async () => {
    await page.getByTestId('log-row').first().getByRole('row').click();
    await expect.poll(() => page.getByTestId('log-json').first().innerText()).toContain('"resourceId"');
    await page.getByTestId('open-context').first().click();
    const context = page.getByTestId('context');
    await context.waitFor();
    expect(await context.locator('li').count()).toBeGreaterThan(10);
    expect(await context.locator('li[aria-current=true]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('log')).toBeTruthy();
    await shot(page, 'context');
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).searchParams.get('log')).toBeNull();
  });

  it('saves the search in Postgres and opens it again', async () => {
    const name = `dashboard test ${pipeline.run}`;
    const saved = page.url();
    // The zoomed phrase search of the tests before: some of the errors, not all.
    const savedTotal = await totalOf(page);
    expect(savedTotal).toBeGreaterThan(0);
    expect(savedTotal).toBeLessThan(ERRORS);
    await page.getByTestId('saved-searches').click();
    await page.getByLabel('Saved search name').fill(name);
    await page.getByLabel('Saved search name').press('Enter');
    await page.getByRole('button', { name, exact: true }).waitFor();
    await page.goto(`${QUERY_URL}/search`);
    await page.getByTestId('saved-searches').click();
    await page.getByRole('button', { name, exact: true }).click();
    await expect.poll(() => page.url()).toBe(saved);
    const { rows } = await pipeline.pool.query<{ query: string }>('SELECT query FROM saved_searches WHERE name = $1', [name]);
    expect(rows[0]!.query).toContain('level=error');
    await page.getByTestId('saved-searches').click();
    await page.getByLabel(`Delete saved search ${name}`).click();
    await page.getByTestId('confirm-delete-saved').click();
    await expect.poll(async () => (await pipeline.pool.query('SELECT 1 FROM saved_searches WHERE name = $1', [name])).rowCount).toBe(0);
    await page.keyboard.press('Escape');
    await expectTotal(page, savedTotal);
  });

  it('exports the current query as NDJSON', async () => {
    const total = await totalOf(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-ndjson').click()]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(total);
    expect(lines.every((line) => (JSON.parse(line) as { level: string }).level === 'error')).toBe(true);
  });

  it('streams a newly ingested log into the live tail', async () => {
    const resourceId = `dash-${pipeline.run}-tail`;
    await page.goto(`${QUERY_URL}/search?live=1&q=${encodeURIComponent(`resourceId:${resourceId}`)}`);
    await expect.poll(() => page.getByTestId('live-status').innerText(), { timeout: 15_000 }).toContain('live');
    const probe = `tail probe ${randomUUID()}`;
    await ingest([{ level: 'warn', message: probe, timestamp: new Date(pipeline.base).toISOString(), resourceId }]);
    await page.getByText(probe).waitFor({ timeout: 30_000 });
    await shot(page, 'live-tail');
  });

  it('renders dark and raised no error in the page', async () => {
    await page.goto(searchUrl);
    await page.getByLabel('Dark theme').click();
    await page.getByTestId('log-row').first().waitFor();
    await page.waitForTimeout(600); // naive-ui fades the theme change in
    await shot(page, 'search-dark');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('starts a reconcile as admin and shows it finish', async () => {
    // The query service again, now on an installation of its own with a reconciler.
    await pipeline.roles.get('query')!.stop();
    lf = await createInstallation('dashboard');
    adminRoles.push(...(await Promise.all(['es-sink', 'pg-sink', 'reconciler', 'query'].map((role) => startRole(role, lf!.env)))));
    await lf.produce(makeRecords(300, 'dash-admin', new Date(Date.now() - 5_000).toISOString()));
    await lf.settled(300);
    await page.goto(`${QUERY_URL}/admin`);
    await expect.poll(() => page.getByTestId('pipeline-health').innerText(), { timeout: 15_000 }).toContain('Postgres logs');
    // The completeness ledger: the PG sink counted the 300 rows it wrote.
    await expect.poll(() => page.getByTestId('ledger-postgres').innerText(), { timeout: 15_000 }).toContain('300');
    await page.getByTestId('start-reconcile').click();
    await page.locator('tr[data-job-name=reconcile][data-job-state=completed]').first().waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('last-reconcile').innerText(), { timeout: 15_000 }).toContain('logsChecked');
    await page.screenshot({ path: `${SCREENSHOTS}admin.png`, fullPage: true });
  }, 300_000);

  it('runs a SQL query', async () => {
    // The console logs in as logflow_reader: `logflow migrate` gives it LOGIN and its password.
    await promisify(execFile)(process.execPath, [CLI, 'migrate']);
    await page.goto(`${QUERY_URL}/sql`);
    await page.getByLabel('SQL statement').fill('SELECT 1 + 1 AS two');
    await page.getByTestId('run-sql').click();
    await page.getByTestId('sql-result').waitFor();
    expect(await page.getByTestId('sql-result').innerText()).toMatch(/two\s+2/);
    await shot(page, 'sql');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('signs in with an admin key, creates a key and shows its secret once, revokes it, and finds both in the audit log', async () => {
    // Audit rows are written only for requests made with a key: the admin installation's query service again, with auth on.
    const authOff = adminRoles.findIndex((role) => role.role === 'query');
    await adminRoles.splice(authOff, 1)[0]!.stop();
    adminRoles.push(await startRole('query', { ...lf!.env, LOGFLOW_AUTH: 'on' }));
    const admin = await createApiKey('admin', lf!.env, 'dashboard-admin');
    keysToRevoke.push(admin.apiKey.id);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: QUERY_URL });

    await page.goto(`${QUERY_URL}/admin/keys`);
    await page.getByLabel('API key', { exact: true }).fill(admin.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-key-name=dashboard-admin]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/keys');

    const name = `payments-readers-${randomUUID().slice(0, 8)}`;
    await page.getByTestId('create-key').click();
    await page.getByLabel('Key name').fill(name);
    await page.getByRole('button', { name: '+ Add pattern' }).click();
    await page.getByLabel('resourceId pattern').fill('payments-*');
    await page.getByLabel('resourceId pattern').press('Enter');
    await shot(page, 'admin-key-form');
    await page.getByTestId('create-key-submit').click();

    const secretField = page.getByTestId('new-key-secret');
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^lf_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId('new-key-warning').innerText()).toContain('shown this once');
    await page.getByTestId('copy-new-key').click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await shot(page, 'admin-key-secret');
    const me = await fetch(`${QUERY_URL}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(await me.json()).toMatchObject({ role: 'read', resourcePatterns: ['payments-*'] });

    await page.getByTestId('close-new-key').click();
    await page.locator('.n-modal').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    const row = page.locator(`tr[data-key-name="${name}"]`);
    expect(await row.getAttribute('data-key-state')).toBe('active');
    expect(await row.innerText()).toMatch(/read[\s\S]*payments-\*[\s\S]*dashboard-admin/);
    const { keys } = (await (await fetch(`${QUERY_URL}/api/admin/keys`, { headers: { authorization: `Bearer ${admin.key}` } })).json()) as { keys: { id: string; name: string }[] };
    const created = keys.find((key) => key.name === name)!;
    keysToRevoke.push(created.id);
    await shot(page, 'admin-keys');

    await row.getByRole('button', { name: `Revoke key ${name}` }).click();
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => row.getAttribute('data-key-state')).toBe('revoked');
    await expect.poll(async () => (await fetch(`${QUERY_URL}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status, { timeout: 5_000 }).toBe(401);

    await page.getByRole('link', { name: 'Audit log' }).click();
    const createdRow = page.locator('tr[data-audit-action="POST /api/admin/keys"]').first();
    const revokedRow = page.locator('tr[data-audit-action="DELETE /api/admin/keys/:id"]').first();
    await revokedRow.waitFor();
    await page.locator('[data-testid=audit-log] .n-data-table-loading-wrapper').waitFor({ state: 'detached' });
    expect(await createdRow.innerText()).toMatch(new RegExp(`dashboard-admin[\\s\\S]*${name}[\\s\\S]*201[\\s\\S]*ok`));
    expect(await revokedRow.innerText()).toMatch(new RegExp(`dashboard-admin[\\s\\S]*${created.id}[\\s\\S]*200[\\s\\S]*ok`));
    // Newest first: the revocation above the creation.
    const actions = await page.locator('tr[data-audit-action]').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-audit-action')));
    expect(actions.indexOf('DELETE /api/admin/keys/:id')).toBeLessThan(actions.indexOf('POST /api/admin/keys'));
    await shot(page, 'admin-audit');

    await page.getByLabel('Filter by action').click();
    await page.getByLabel('Filter by action').fill('DELETE /api/admin/keys/:id');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('tr[data-audit-action="POST /api/admin/keys"]').count()).toBe(0);
    expect(await revokedRow.isVisible()).toBe(true);

    await page.getByLabel('Dark theme').click();
    await page.waitForTimeout(600); // naive-ui fades the theme change in
    await shot(page, 'admin-audit-light');
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
