/**
 * The Compare view end to end against `alphanet serve`: its empty state, then a baseline and two
 * experiments of two runs each on the demo dataset (recorded through the API, as a script would),
 * the table, Δ, significance, sorting, the config diff, and the LaTeX export saved as a download.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { CompareDataset } from '../src-shared/compare-groups.ts';
import { defaultRunConfig } from '../src-shared/config.ts';
import { apiCall, describeInBrowser, runsDone, screenshot, type Served } from './harness.ts';

const EXPERIMENTS = [
  { name: 'AlphaNet k=5', k: 5 },
  { name: 'AlphaNet k=3', k: 3 },
];

describeInBrowser(
  'the Compare view in served mode',
  (session) => {
    let page: Page;
    let served: Served;
    beforeAll(async () => {
      ({ page, served } = session);
      await page.goto(served.url);
      await page.locator('nav[aria-label="Views"]').waitFor();
    });

    const table = () => page.getByTestId('compare-table').first();
    const cell = (row: string, col: string) => table().locator(`tr[data-row="${row}"] td[data-col="${col}"]`);

    it('says there is nothing to compare before any run finished', async () => {
      await page.locator('nav a[data-view="compare"]').click();
      await page.locator('.topbar h1', { hasText: 'Compare' }).waitFor();
      await page.getByText('Nothing to compare yet').waitFor();
    });

    it('fills in while a baseline and two experiments of two runs finish', async () => {
      await apiCall(served, 'addDataset', { bundled: 'demo' });
      await apiCall(served, 'computeBaseline', { key: 'demo' });
      for (const { name, k } of EXPERIMENTS) {
        const config = defaultRunConfig('demo');
        // The paper's setting (ρ = 0.5), a little shorter.
        config.training.sampler_args = [{}, { r: '0.5' }];
        config.training.train_epochs = 10;
        config.training.min_epochs = 5;
        config.training.n_neighbors = k;
        await apiCall(served, 'launchExperiment', { experiment: name, config, repetitions: 2 });
      }
      await runsDone(served, { dataset: 'demo' }, 5);

      // The view reloads as runs finish; the first visit shows every named experiment, here with both runs.
      await expect.poll(() => table().locator('tbody tr').count(), { timeout: 30_000 }).toBe(3);
      for (const { name } of EXPERIMENTS)
        await expect
          .poll(() => cell(name, 'overall').locator('.cell-n').textContent(), { timeout: 30_000 })
          .toBe('n=2');
      const [demo] = await apiCall<CompareDataset[]>(served, 'listComparisonGroups', {});
      await expect(page.locator('.compare-table h2').textContent()).resolves.toBe(demo.displayName);
      const rows = await table()
        .locator('tbody tr')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-row')));
      expect(rows).toEqual(['Baseline', ...EXPERIMENTS.map((e) => e.name)]);
      for (const { name } of EXPERIMENTS) {
        for (const col of ['few', 'medium', 'many', 'overall']) {
          await expect(cell(name, col).locator('.cell-main').textContent()).resolves.toMatch(/^\d+\.\d$/);
          await expect(cell(name, col).locator('.cell-std').textContent()).resolves.toMatch(/^± \d+\.\d\d$/);
          await expect(cell(name, col).locator('.cell-n').textContent()).resolves.toBe('n=2');
        }
        await expect(table().locator(`tr[data-row="${name}"] td`).nth(0).textContent()).resolves.toBe('best val');
      }
      await expect(cell('Baseline', 'overall').textContent()).resolves.toMatch(/^\d+\.\dn=1$/);
      // Exactly one best (bold) per column.
      expect(await table().locator('td[data-col="overall"].best').count()).toBeGreaterThanOrEqual(1);
      await expect(page.getByTestId('config-diff').locator('tbody th').allTextContents()).resolves.toEqual([
        'training.n_neighbors',
      ]);
    });

    it('shows Δ vs the baseline, tests against a reference row and sorts by a column', async () => {
      const mean = async (row: string) => Number(await cell(row, 'overall').locator('.cell-main').textContent());
      const before = await Promise.all(['Baseline', ...EXPERIMENTS.map((e) => e.name)].map(mean));
      await page.getByTestId('show-delta').check();
      for (const [i, { name }] of EXPERIMENTS.entries()) {
        const delta = await cell(name, 'overall').locator('.cell-main').textContent();
        expect(delta).toMatch(/^[+-]\d+\.\d$/);
        expect(Number(delta)).toBeCloseTo(before[i + 1] - before[0], 0);
      }
      await expect(cell('Baseline', 'overall').locator('.cell-main').textContent()).resolves.toBe(
        String(before[0].toFixed(1)),
      );
      await page.getByTestId('show-delta').uncheck();

      // Val instead of test, top-5 (recorded for the whole datagrp only), then back.
      await page.getByTestId('use-val').check();
      await expect(table().locator('caption').textContent()).resolves.toMatch(/^\s*Val top-1 accuracy/);
      await expect(cell('Baseline', 'few').locator('.cell-main').textContent()).resolves.toMatch(/^\d+\.\d$/);
      await page.getByTestId('use-val').uncheck();
      await page.getByTestId('metric-top5').check();
      await expect(cell(EXPERIMENTS[0].name, 'few').locator('.cell-main').textContent()).resolves.toBe('–');
      await expect(cell(EXPERIMENTS[0].name, 'overall').locator('.cell-main').textContent()).resolves.toMatch(
        /^\d+\.\d$/,
      );
      await page.getByTestId('metric-top1').check();

      await page.getByTestId('reference').selectOption('Baseline');
      await expect(cell(EXPERIMENTS[0].name, 'overall').getAttribute('title')).resolves.toMatch(
        /; p [=<] \d.*t-test .*vs Baseline$/,
      );
      const daggers = await table()
        .locator('.dagger')
        .evaluateAll((els) => els.map((el) => el.getAttribute('title')));
      for (const title of daggers) expect(title).toMatch(/^p [=<] 0\.0[0-4]\d*, /);
      // Keyboard users reach the p-value too: the dagger takes focus and shows it.
      const dagger = table().locator('.dagger').first();
      await dagger.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      await expect(dagger.evaluate((el) => getComputedStyle(el, '::after').content)).resolves.toBe(
        JSON.stringify(daggers[0]),
      );

      await table().locator('th[data-col="overall"] button').click();
      await expect(table().locator('th[data-col="overall"]').getAttribute('aria-sort')).resolves.toBe('descending');
      const sorted = await table().locator('tbody tr td[data-col="overall"] .cell-main').allTextContents();
      const experimentMeans = sorted.slice(1).map(Number);
      expect(experimentMeans).toEqual([...experimentMeans].sort((a, b) => b - a));
      await expect(table().locator('tbody tr').first().getAttribute('data-row')).resolves.toBe('Baseline');
      await screenshot(page, 'compare');
    });

    it('exports the table as LaTeX (saved as a download) and copies it to the clipboard', async () => {
      await page.getByTestId('export-format').selectOption('latex');
      await page.getByTestId('export-style').selectOption('sup');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
      expect(download.suggestedFilename()).toBe('comparison-demo.tex');
      const tex = fs.readFileSync((await download.path()) as string, 'utf8');
      for (const rule of ['\\toprule', '\\midrule', '\\bottomrule']) expect(tex).toContain(rule);
      expect(tex).toMatch(
        /\\caption\{Test top-1 accuracy \(\\%\), mean and sample standard deviation over 2 runs \(baseline: a single evaluation\)\./,
      );
      // The reference row chosen before is still on: its † marks and their note come along, as on screen.
      expect(tex).toMatch(
        /\n {4}Baseline & [^\n]*\\\\\n {4}\\midrule\n {4}AlphaNet k=\d & \$(\\textbf\{|\\underline\{)?\d+\.\d\}?\^\{\d+\.\d\d\}(\{\}\^\{\\dagger\})?\$/,
      );
      expect(tex).toMatch(/\$\^\\dagger\$ \$p < 0\.05\$ \(t-test\) vs Baseline\.\}/);
      expect(tex).not.toMatch(/\|/);
      await expect(page.getByTestId('export-message').textContent()).resolves.toBe('Saved comparison-demo.tex.');

      await page.getByTestId('export-format').selectOption('csv-means');
      await page.getByTestId('export-copy').click();
      await expect
        .poll(() => page.getByTestId('export-message').textContent())
        .toBe("Copied CSV: means (the original's) to the clipboard.");
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.split('\n')[0]).toBe('Experiment,Few,Medium,Many,Overall');
      expect(copied.split('\n')[1]).toMatch(/^Baseline,/);
      expect(session.pageErrors).toEqual([]);
    });
  },
  { clipboard: true },
);
