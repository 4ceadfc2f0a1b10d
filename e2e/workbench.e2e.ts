/**
 * The workbench in a browser, end to end, against `alphanet serve`: datasets, launch, runs, curves,
 * and a restart. The tests run in order and share one data folder, as a user's session would.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RunSummary } from '../src-shared/api.ts';
import { apiCall, describeInBrowser, runsDone, screenshot, type Served } from './harness.ts';

const EXPERIMENT = 'e2e demo';

describeInBrowser('the workbench in served mode', (session) => {
  let page: Page;
  let served: Served;

  async function open(): Promise<void> {
    await page.goto(served.url);
    await page.locator('nav[aria-label="Views"]').waitFor();
  }

  async function goTo(view: 'datasets' | 'launch' | 'runs' | 'curves'): Promise<void> {
    await page.locator(`nav a[data-view="${view}"]`).click();
    await page.locator('.topbar h1', { hasText: new RegExp(view, 'i') }).waitFor();
  }

  beforeAll(async () => {
    ({ page, served } = session);
    await open();
  });

  it('adds the demo dataset and shows its validator report and baseline', async () => {
    await goTo('datasets');
    await page.getByText('No datasets yet').waitFor();
    await page.getByTestId('add-demo').click();
    const report = page.getByTestId('dataset-report');
    await report.waitFor({ timeout: 60_000 });
    await expect(report.locator('.badge').first().textContent()).resolves.toBe('usable');
    expect(await report.locator('table').first().locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('compute-baseline').click();
    const baseline = page.getByTestId('baseline-table');
    await baseline.waitFor({ timeout: 120_000 });
    expect(await baseline.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'datasets');
  });

  it('shows the reason of a bad form value beside it and queues nothing', async () => {
    const before = await apiCall<RunSummary[]>(served, 'listRuns', {});
    await goTo('launch');
    await page.locator('#f-experiment').fill('should not run');
    await page.locator('#f-train_epochs').fill('3');
    await page.locator('#f-min_epochs').fill('7');
    await page.getByTestId('launch-submit').click();
    await expect(page.locator('[data-error-for="f-min_epochs"]').textContent()).resolves.toBe(
      'must not exceed train_epochs (3)',
    );
    await expect(page.getByTestId('launch-message').textContent()).resolves.toMatch(/nothing was queued/);
    await expect(page.locator('#f-min_epochs').evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await screenshot(page, 'launch-invalid');
    expect(await apiCall<RunSummary[]>(served, 'listRuns', {})).toEqual(before);
  });

  it('launches an experiment of 2 repetitions and watches both runs finish', async () => {
    await page.locator('#f-experiment').fill(EXPERIMENT);
    await page.locator('#f-train_epochs').fill('4');
    await page.locator('#f-min_epochs').fill('2');
    await page.locator('#f-repetitions').fill('2');
    await expect(page.getByTestId('launch-submit').textContent()).resolves.toMatch(/Queue 2 runs/);
    // The fields are fixed, so the earlier 'nothing was queued' no longer stands.
    await expect.poll(() => page.getByTestId('launch-message').count()).toBe(0);
    await screenshot(page, 'launch');
    await page.getByTestId('launch-submit').click();
    await expect(page.getByTestId('launch-message').textContent()).resolves.toMatch(/Queued 2 runs of “e2e demo”/);

    await goTo('runs');
    const rows = page.locator('[data-testid="runs-table"] tbody tr[data-run]', { hasText: EXPERIMENT });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    await runsDone(served, { experiment: EXPERIMENT }, 2);
    await expect
      .poll(() => page.locator('tr[data-status="done"]', { hasText: EXPERIMENT }).count(), { timeout: 10_000 })
      .toBe(2);
    const bars = await rows
      .locator('[role="progressbar"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-valuenow')));
    expect(bars).toEqual(['100', '100']);
    await screenshot(page, 'runs');
  });

  it("plots both runs' points and updates the smoothed values with the slider", async () => {
    await goTo('curves');
    const epochLoss = page.locator('figure[data-tag="epoch_loss"]');
    await epochLoss.waitFor({ timeout: 30_000 });
    const lines = epochLoss.locator('tr[data-line]');
    await expect.poll(() => lines.count()).toBe(2);
    expect(await lines.evaluateAll((els) => els.map((el) => el.getAttribute('data-points')))).toEqual(['4', '4']);
    expect(await epochLoss.locator('canvas').count()).toBeGreaterThan(0);

    const batchLoss = page.locator('figure[data-tag="batch_loss"] tr[data-line]').first();
    const read = async () => ({
      smoothed: await batchLoss.locator('[data-col="smoothed"]').textContent(),
      value: await batchLoss.locator('[data-col="value"]').textContent(),
    });
    await page.getByTestId('smoothing').fill('0');
    const raw = await read();
    expect(raw.smoothed).toBe(raw.value);
    await page.getByTestId('smoothing').fill('0.95');
    await expect(page.getByTestId('smoothing-value').textContent()).resolves.toBe('0.950');
    const smoothed = await read();
    expect(smoothed.value).toBe(raw.value);
    expect(smoothed.smoothed).not.toBe(raw.smoothed);
    await screenshot(page, 'curves');

    await page.getByTestId('group-repeats').check();
    await expect.poll(() => lines.count()).toBe(1);
    await expect(lines.first().textContent()).resolves.toMatch(/e2e demo · demo \(n=2\)/);
    await screenshot(page, 'curves-grouped');
  });

  it('copies a run’s settings into the form; updates curves live; the Runs view cancels and deletes', async () => {
    await goTo('runs');
    await page.locator('tr[data-run]', { hasText: EXPERIMENT }).first().getByRole('button', { name: 'Copy' }).click();
    await page.locator('.topbar h1', { hasText: 'Launch' }).waitFor();
    await expect.poll(() => page.locator('#f-experiment').inputValue()).toBe(EXPERIMENT);
    await expect(page.locator('#f-train_epochs').inputValue()).resolves.toBe('4');
    await expect(page.locator('#f-min_epochs').inputValue()).resolves.toBe('2');
    await expect(page.getByTestId('launch-message').textContent()).resolves.toMatch(
      /Copied the settings of run #\d+ \(e2e demo\)/,
    );
    await page.locator('#f-experiment').fill('e2e live');
    await page.locator('#f-train_epochs').fill('5000');
    await page.locator('#f-min_epochs').fill('1');
    await page.locator('#f-repetitions').fill('1');
    await page.getByTestId('launch-submit').click();
    await expect(page.getByTestId('launch-message').textContent()).resolves.toMatch(/Queued 1 run/);
    const [live] = await apiCall<RunSummary[]>(served, 'listRuns', { experiment: 'e2e live' });

    await goTo('runs');
    const row = page.locator(`tr[data-run="${live.id}"]`);
    await row.getByRole('button', { name: 'Curves' }).click();
    const points = page.locator('figure[data-tag="epoch_loss"] tr[data-line]').first();
    await points.waitFor({ timeout: 60_000 });
    const count = async () => Number(await points.getAttribute('data-points'));
    const first = await count();
    await expect.poll(count, { timeout: 60_000 }).toBeGreaterThan(first);
    expect(await count()).toBeLessThan(5000);
    await screenshot(page, 'curves-live');

    await goTo('runs');
    await expect(row.getAttribute('data-status')).resolves.toBe('running');
    await expect
      .poll(async () => Number(await row.getByRole('progressbar').getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect(row.textContent()).resolves.toMatch(/epoch \d+\/5000 · batch \d+\/\d+ · loss \d/);
    await screenshot(page, 'runs-progress');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.locator('dialog[open]');
    await expect(dialog.textContent()).resolves.toMatch(new RegExp(`Delete run #${live.id} \\(e2e live, seed 1\\)`));
    await screenshot(page, 'runs-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await apiCall<RunSummary[]>(served, 'listRuns', { experiment: 'e2e live' })).toEqual([]);
  });

  it('finds the runs again after the server restarts', async () => {
    expect(session.pageErrors).toEqual([]);
    // Leave the page first: its event stream would otherwise (rightly) report the stopped server.
    await page.goto('about:blank');
    await session.restartServer();
    served = session.served;
    await open();
    await goTo('runs');
    const done = page.locator('tr[data-status="done"]', { hasText: EXPERIMENT });
    await expect.poll(() => done.count(), { timeout: 30_000 }).toBe(2);
    await screenshot(page, 'runs-after-restart');
    expect(session.pageErrors).toEqual([]);
  });
});
