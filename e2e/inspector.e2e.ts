/**
 * The Inspector in a browser, end to end, against `alphanet serve`: a baseline and an AlphaNet
 * experiment of 2 runs on the demo dataset (WordNet class ids), one few class's combination and
 * confusions with their WordNet relations, and a plot exported as PNG, SVG and CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { defaultRunConfig } from '../src-shared/config.ts';
import { plotCsv, type InspectorData } from '../src-shared/inspector.ts';
import { apiCall, describeInBrowser, runsDone, screenshot, type Served } from './harness.ts';

const EXPERIMENT = 'e2e inspector';
const ESKIMO_DOG = 32; // n02109961, a few class of the demo
const SIBERIAN_HUSKY = 34; // n02110185, many

describeInBrowser('the Inspector in served mode', (session) => {
  let page: Page;
  let served: Served;
  beforeAll(() => {
    ({ page, served } = session);
  });

  it('records a baseline and an AlphaNet experiment of 2 runs on the demo dataset', async () => {
    await apiCall(served, 'addDataset', { bundled: 'demo' });
    await apiCall(served, 'computeBaseline', { key: 'demo' });
    const config = defaultRunConfig('demo');
    config.training.train_epochs = 4;
    config.training.min_epochs = 2;
    await apiCall(served, 'launchExperiment', { experiment: EXPERIMENT, config, seeds: [5, 6] });
    await runsDone(served, { experiment: EXPERIMENT }, 2);
  });

  it('opens the Inspector, selects a class, and shows its combination and confusions with WordNet relations', async () => {
    await page.goto(served.url);
    await page.locator('nav a[data-view="inspector"]').click();
    await page.locator('.topbar h1', { hasText: 'Inspector' }).waitFor();
    await expect
      .poll(() => page.getByTestId('inspector-experiment').locator('option:checked').textContent(), { timeout: 30_000 })
      .toBe(`${EXPERIMENT} (2 runs)`);
    const classRows = page.locator('[data-testid="class-table"] tbody tr');
    await classRows.first().waitFor({ timeout: 120_000 });
    await expect(page.getByTestId('inspector-source').textContent()).resolves.toMatch(/baseline run #\d+/);

    await page.getByTestId('class-search').fill('eskimo');
    await expect.poll(() => classRows.count()).toBe(1);
    await classRows.first().getByRole('button', { name: 'Eskimo dog' }).click();
    const detail = page.getByTestId('class-detail');
    await expect.poll(() => detail.getAttribute('data-class')).toBe(String(ESKIMO_DOG));
    // The route holds the class: the view is linkable.
    expect(new URL(page.url()).hash).toMatch(new RegExp(`^#/inspector\\?.*class=${ESKIMO_DOG}`));
    await expect(detail.getByTestId('synset').textContent()).resolves.toMatch(/^n02109961 · /);

    const text = (await detail.getByTestId('combination-text').textContent()) ?? '';
    expect(text.split('\n')[0]).toBe('[Eskimo dog] = [Eskimo dog]');
    expect(text.split('\n').slice(1)).toHaveLength(5);
    for (const line of text.split('\n').slice(1)) expect(line).toMatch(/^ +\+ \(-?\d[\d.e-]*±\d[\d.e-]*\)\[.+\]$/);
    await expect(detail.locator('[data-testid="combination-terms"] tbody tr').count()).resolves.toBe(5);
    expect(await detail.locator('figure[data-plot="combination"] canvas').count()).toBeGreaterThan(0);

    // The demo confuses Eskimo dogs with Siberian huskies: WordNet path distance 3 through 'working dog'.
    const husky = detail.locator(`table.confusions tr[data-class="${SIBERIAN_HUSKY}"]`).first();
    await husky.waitFor();
    await expect(husky.locator('[data-col="distance"]').textContent()).resolves.toBe('3');
    const hypernym = husky.locator('[data-col="hypernym"] .hypernym');
    await expect(hypernym.textContent()).resolves.toBe('working dog');
    await expect(hypernym.getAttribute('title')).resolves.toMatch(/^working dog \(n\d{8}\): .*dog/);
    expect(await detail.getByTestId('baseline-mistakes').locator('tbody tr[data-class]').count()).toBeGreaterThan(0);
    await screenshot(page, 'inspector');

    // A confused class's name leads to it; Back returns to the few class.
    await husky.getByRole('button', { name: 'Siberian husky' }).click();
    await expect.poll(() => detail.getAttribute('data-class')).toBe(String(SIBERIAN_HUSKY));
    await expect(detail.locator('h2').textContent()).resolves.toMatch(/Siberian husky\s+many/);
    await page.goBack();
    await expect.poll(() => detail.getAttribute('data-class')).toBe(String(ESKIMO_DOG));
  });

  async function exported(
    card: ReturnType<Page['locator']>,
    format: 'png' | 'svg' | 'csv',
  ): Promise<{ download: Download; bytes: Buffer }> {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.locator(`[data-export="${format}"]`).click(),
    ]);
    const file = path.join(session.dataDir, download.suggestedFilename());
    await download.saveAs(file);
    return { download, bytes: fs.readFileSync(file) };
  }

  it('exports a plot as PNG, SVG and its data as CSV, and draws the semantic plots on WordNet data', async () => {
    const card = page.locator('figure[data-plot="deltaVsDistance"]');
    await card.scrollIntoViewIfNeeded();
    expect(await card.locator('canvas').count()).toBeGreaterThan(0);

    const png = await exported(card, 'png');
    expect(png.download.suggestedFilename()).toBe('demo-e2e_inspector-deltaVsDistance.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.length).toBeGreaterThan(5000);

    const svg = await exported(card, 'svg');
    expect(svg.download.suggestedFilename()).toBe('demo-e2e_inspector-deltaVsDistance.svg');
    const svgText = svg.bytes.toString('utf8');
    expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('Δ accuracy vs mean neighbour distance');
    // One circle per few class, drawn as paths.
    expect((svgText.match(/<path/g) ?? []).length).toBeGreaterThan(10);

    const csv = await exported(card, 'csv');
    expect(csv.download.suggestedFilename()).toBe('demo-e2e_inspector-deltaVsDistance.csv');
    const data = await apiCall<InspectorData>(served, 'getInspector', { dataset: 'demo', experiment: EXPERIMENT });
    expect(csv.bytes.toString('utf8')).toBe(plotCsv(data.plots, 'deltaVsDistance'));
    expect(csv.bytes.toString('utf8').split('\n')[0]).toBe(
      'class_id,name,mean_neighbour_distance_euclidean,delta_acc,fit_slope,fit_intercept,pearson_r',
    );

    for (const name of [
      'accVsSamples',
      'deltaBySplit',
      'alphaDistribution',
      'predictionChanges',
      'semanticPredictionChanges',
      'semanticAccuracy',
    ]) {
      expect(await page.locator(`figure[data-plot="${name}"] canvas`).count(), name).toBeGreaterThan(0);
    }
    expect(session.pageErrors).toEqual([]);
  });

  it('keeps the experiment on screen while a newly finished run of it is taken in', async () => {
    await page.evaluate(() => {
      const w = window as unknown as { detailGone: boolean };
      w.detailGone = false;
      new MutationObserver(() => {
        if (!document.querySelector('[data-testid="class-detail"]')) w.detailGone = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const config = defaultRunConfig('demo');
    config.training.train_epochs = 4;
    config.training.min_epochs = 2;
    await apiCall(served, 'launchExperiment', { experiment: EXPERIMENT, config, seeds: [7] });
    await runsDone(served, { experiment: EXPERIMENT }, 3);
    const caption = page.getByTestId('inspector-summary').locator('caption');
    await expect.poll(() => caption.textContent(), { timeout: 60_000 }).toContain('over 3 runs');
    expect(await page.evaluate(() => (window as unknown as { detailGone: boolean }).detailGone)).toBe(false);
    expect(session.pageErrors).toEqual([]);
  });
});
