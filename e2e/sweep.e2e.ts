/**
 * Sweeps end to end against `alphanet serve`: a 2 × 2 grid defined in the launch form runs to the
 * end, its runs carry their values in the Runs table, HParams shows one row per config and brushing
 * an axis of its parallel chart filters the table, and the Inspector opens one config of the k-sweep.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { InspectableExperiment } from '../src-shared/api.ts';
import { PARALLEL_LAYOUT } from '../src-renderer/src/lib/hparams-chart.ts';
import { apiCall, describeInBrowser, runsDone, screenshot, type Served } from './harness.ts';

const EXPERIMENT = 'e2e k × ρ';

describeInBrowser('sweeps in served mode', (session) => {
  let page: Page;
  let served: Served;
  beforeAll(() => {
    ({ page, served } = session);
  });

  it('defines a 2 × 2 sweep (× 2 seeds) in the launch form and watches its 8 runs finish, each named by its values', async () => {
    await apiCall(served, 'addDataset', { bundled: 'demo' });
    await apiCall(served, 'computeBaseline', { key: 'demo' });
    await page.goto(served.url);
    await page.locator('nav a[data-view="launch"]').click();
    const form = page.getByTestId('launch-form');
    await form.waitFor();
    await expect.poll(() => page.locator('#f-dataset').inputValue()).toBe('demo');
    await page.locator('#f-experiment').fill(EXPERIMENT);
    await page.locator('#f-train_epochs').fill('3');
    await page.locator('#f-min_epochs').fill('1');
    await page.locator('#f-repetitions').fill('2');
    await page.getByTestId('add-sweep-param').click();
    await page.getByTestId('sweep-param-0').selectOption('training.n_neighbors');
    await page.getByTestId('sweep-values-0').fill('3, 5');
    await page.getByTestId('add-sweep-param').click();
    await page.getByTestId('sweep-param-1').selectOption('training.sampler_args.1.r');
    await page.getByTestId('sweep-values-1').fill('0.5, 1');
    await form.locator('button[type="submit"]').click();
    await page.getByText(`Queued 8 runs of “${EXPERIMENT}”.`).waitFor();

    await page.locator('nav a[data-view="runs"]').click();
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.locator('th[data-param]').allTextContents()).toEqual(['k', 'ρ']);
    const runs = await runsDone(served, { experiment: EXPERIMENT }, 8);
    expect([...new Set(runs.map((r) => r.label))].sort()).toEqual(['k=3, ρ=0.5', 'k=3, ρ=1', 'k=5, ρ=0.5', 'k=5, ρ=1']);
    // Sorting by ρ puts the ρ = 0.5 runs first.
    await table.locator('th[data-param="training.sampler_args.1.r"] button').click();
    await expect
      .poll(async () =>
        (await table.locator('tbody tr[data-run] td[data-param="training.sampler_args.1.r"]').allTextContents()).slice(
          0,
          8,
        ),
      )
      .toEqual(['0.5', '0.5', '0.5', '0.5', '1', '1', '1', '1']);
  });

  it('opens HParams: a row per config with n = 2, and brushing the k axis filters the table', async () => {
    await page.locator('nav a[data-view="hparams"]').click();
    await page.locator('.topbar h1', { hasText: 'HParams' }).waitFor();
    await expect
      .poll(() => page.getByTestId('hparams-sweep').locator('option:checked').textContent())
      .toMatch(new RegExp(`^\\s*${EXPERIMENT} · `));
    const rows = page.locator('[data-testid="hparams-table"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4);
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-config')))).sort()).toEqual([
      'k=3, ρ=0.5',
      'k=3, ρ=1',
      'k=5, ρ=0.5',
      'k=5, ρ=1',
    ]);
    expect(await rows.locator('td:last-child').allTextContents()).toEqual(['2', '2', '2', '2']);

    // Drag along the first axis (k, from 3 at the bottom to 5 at the top) over its upper half only.
    const chart = page.getByTestId('hparams-parallel');
    await chart.locator('canvas').first().waitFor();
    const box = (await chart.boundingBox())!;
    const x = box.x + PARALLEL_LAYOUT.left;
    const top = box.y + PARALLEL_LAYOUT.top;
    const bottom = box.y + box.height - PARALLEL_LAYOUT.bottom;
    await page.mouse.move(x, top + 2);
    await page.mouse.down();
    await page.mouse.move(x, top + (bottom - top) * 0.25, { steps: 5 });
    await page.mouse.move(x, top + (bottom - top) * 0.4, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-config')))).sort()).toEqual([
      'k=5, ρ=0.5',
      'k=5, ρ=1',
    ]);
    await expect(page.getByTestId('hparams-count').textContent()).resolves.toBe('2 of 4');
    await screenshot(page, 'hparams');

    // The shown configs go to Compare as one row each.
    await page.getByRole('button', { name: 'Select shown' }).click();
    await page.getByTestId('hparams-compare').click();
    await page.locator('.topbar h1', { hasText: 'Compare' }).waitFor();
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid="compare-table"] tbody tr')
            .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row'))),
        { timeout: 30_000 },
      )
      .toEqual(['Baseline', `${EXPERIMENT}: k=5, ρ=0.5`, `${EXPERIMENT}: k=5, ρ=1`]);
  });

  it('opens the Inspector on one config of the k-sweep', async () => {
    const listed = await apiCall<InspectableExperiment[]>(served, 'listInspectable', {});
    expect(
      listed
        .filter((e) => e.experiment === EXPERIMENT)
        .map((e) => e.label)
        .sort(),
    ).toEqual(['k=3, ρ=0.5', 'k=3, ρ=1', 'k=5, ρ=0.5', 'k=5, ρ=1']);
    await page.locator('nav a[data-view="inspector"]').click();
    await page.locator('.topbar h1', { hasText: 'Inspector' }).waitFor();
    const picker = page.getByTestId('inspector-experiment');
    await expect
      .poll(() => picker.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain(`${EXPERIMENT} · k=3, ρ=1 (2 runs)`);
    const value = await picker
      .locator('option', { hasText: `${EXPERIMENT} · k=3, ρ=1 (2 runs)` })
      .getAttribute('value');
    await picker.selectOption(value!);
    await page.locator('[data-testid="class-table"] tbody tr').first().waitFor({ timeout: 120_000 });
    const run = listed.find((e) => e.experiment === EXPERIMENT && e.label === 'k=3, ρ=1')!;
    await expect
      .poll(() => page.getByTestId('inspector-source').textContent())
      .toMatch(new RegExp(`runs #${run.runIds[0]}, #${run.runIds[1]} ·`));
    expect(session.pageErrors).toEqual([]);
  });
});
