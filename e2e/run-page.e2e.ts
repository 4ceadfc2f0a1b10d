/**
 * A run's page and the Runs view's bulk actions against `alphanet serve`: a run opens from its row, its
 * notes survive a reload, a tag added there filters Runs, and two runs selected together are tagged,
 * compared and (one of them) deleted; a failed run's page shows its log with the error marked, and
 * that its dataset changed since.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RunSummary } from '../src-shared/api.ts';
import { openStore } from '../src-main/store/open.ts';
import { epochLine, resultLine } from '../src-main/runs/run-log.ts';
import { recordFinished, SMALL_SHAPE, syntheticResult } from '../src-main/store/test-records.ts';
import { apiCall, describeInBrowser, screenshot } from './harness.ts';

/** The synthetic dataset's fingerprint now; the failed run trained on an older one. */
const FINGERPRINT = 'a1'.repeat(32);
const OLD_FINGERPRINT = 'b2'.repeat(32);

describeInBrowser('the run page and bulk actions in served mode', (session) => {
  let page: Page;
  let ids: number[] = [];
  const rows = () => page.locator('[data-testid="runs-table"] tbody tr[data-run]');
  const shownIds = async () =>
    (await rows().evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run'))))).sort((a, b) => a - b);

  beforeAll(async () => {
    page = session.page;
    const { db, store } = openStore(path.join(session.dataDir, 'workbench.sqlite'));
    try {
      // Two configs: k = 3 (three seeds) and k = 5, so the Runs table grows a k column.
      ids = [1, 2, 3].map((seed) => recordFinished(store, syntheticResult('synthetic', seed, SMALL_SHAPE), 'page'));
      const wider = syntheticResult('synthetic', 4, SMALL_SHAPE);
      wider.config.training.n_neighbors = 5;
      ids.push(recordFinished(store, wider, 'page'));
      // The first run's log as a recorder writes it (recordFinished writes the results alone).
      const first = syntheticResult('synthetic', 1, SMALL_SHAPE);
      store.appendLog(
        ids[0],
        'info',
        `started, 4 epochs on e2e (pid 1): dataset synthetic (fingerprint ${FINGERPRINT.slice(0, 16)}), seed 1`,
      );
      // Seconds since the start, as the engine stamps epochs (the synthetic records carry unix times).
      for (const rec of first.epochs)
        store.appendLog(ids[0], 'info', epochLine({ ...rec, wall_time: 0.4 * rec.epoch }, first.epochs.length));
      store.appendLog(ids[0], 'info', resultLine(first));
      store.setTrainedFingerprint(ids[0], FINGERPRINT);
    } finally {
      db.close();
    }
    await page.goto(session.served.url);
    await page.locator('nav a[data-view="runs"]').click();
  });

  it('opens a run from its row: its facts, config against the defaults, results and curves', async () => {
    await expect.poll(() => rows().count()).toBe(4);
    await expect(page.locator('[data-testid="runs-table"] th[data-param]').allTextContents()).resolves.toEqual(['k']);
    await rows().locator(`a[href="#/runs/${ids[0]}"]`).first().click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/runs/${ids[0]}`);
    await expect(page.locator('.topbar h1').textContent()).resolves.toBe(`Run #${ids[0]}`);
    const facts = page.getByTestId('run-facts');
    await expect.poll(() => facts.textContent()).toMatch(/Datasetsynthetic.*Seed1.*Kept epoch4/);
    // The synthetic config sets k, epochs and min_epochs away from the defaults.
    const changed = page.locator('[data-testid="run-config"] tr.differs');
    await expect
      .poll(() => changed.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-param'))))
      .toEqual(['training.n_neighbors', 'training.train_epochs', 'training.min_epochs']);
    await expect(changed.first().locator('td').allTextContents()).resolves.toEqual([
      'k',
      'training.n_neighbors',
      '3',
      '5',
    ]);
    await expect(
      page
        .locator('[data-testid="run-results"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-datagrp'))),
    ).resolves.toEqual(['val', 'test']);
    await expect.poll(() => page.locator('.run-page figure[data-tag]').count()).toBeGreaterThan(0);
  });

  it('saves notes on leaving the box, keeps them across a reload, and adds a tag that filters Runs', async () => {
    const notes = page.getByTestId('run-notes');
    await notes.fill('k = 3 looks best so far;\nre-check with 10 seeds');
    await expect(page.getByTestId('notes-state').textContent()).resolves.toMatch(/^\s*Unsaved/);
    await notes.blur();
    await expect.poll(() => page.getByTestId('notes-state').textContent()).toMatch(/^\s*Saved\s*$/);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('run-notes').inputValue())
      .toBe('k = 3 looks best so far;\nre-check with 10 seeds');

    await page.getByTestId('new-tag').fill('two words');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByRole('alert').filter({ hasText: "tag 'two words': must be one word (no spaces)" }).waitFor();
    await page.getByTestId('new-tag').fill('best-k');
    await page.getByTestId('new-tag').press('Enter');
    await page.locator('[data-testid="run-tags"] [data-tag="best-k"]').waitFor();
    await expect(page.getByTestId('new-tag').inputValue()).resolves.toBe('');
    // Charts are drawn as they come into view: bring each open one in before the full-page screenshot.
    for (const chart of await page.locator('.run-page figure[data-tag]').all()) await chart.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'run-page');

    await page.locator('[data-testid="run-tags"] [data-tag="best-k"] a').click();
    await expect.poll(() => page.getByTestId('filter-runs').inputValue()).toBe('tag:best-k');
    await expect.poll(shownIds).toEqual([ids[0]]);
    // Notes are searched too.
    await page.getByTestId('filter-runs').fill('10 seeds');
    await expect.poll(shownIds).toEqual([ids[0]]);
  });

  it('tags, compares and deletes two runs selected together', async () => {
    await page.getByTestId('filter-runs').fill('');
    await expect.poll(() => rows().count()).toBe(4);
    for (const id of [ids[1], ids[3]]) await page.getByLabel(`Select run ${id}`, { exact: true }).check();
    const bar = page.getByTestId('bulk-bar');
    await expect(bar.locator('strong').textContent()).resolves.toBe('2 selected');
    await page.getByTestId('bulk-tags').fill('pair');
    await page.getByTestId('bulk-tag').click();
    await expect.poll(() => page.locator('[data-testid="runs-table"] [data-col="tags"]').count()).toBe(3);
    const tagged = await apiCall<RunSummary[]>(session.served, 'listRuns', { tag: ['pair'] });
    expect(tagged.map((r) => r.id).sort((a, b) => a - b)).toEqual([ids[1], ids[3]]);
    await page.getByTestId('filter-runs').fill('tag:pair');
    await expect.poll(shownIds).toEqual([ids[1], ids[3]]);

    // Compare opens with the selected runs' configs: k = 3 (its three seeds) and k = 5.
    await page.getByTestId('bulk-compare').click();
    // Compare soon writes its screen into the link (#/compare?sel=…): the view is what counts.
    await expect.poll(() => new URL(page.url()).hash.split('?')[0]).toBe('#/compare');
    const compared = page.locator('[data-testid="compare-table"] tbody tr[data-row]');
    await expect.poll(() => compared.count()).toBe(2);
    await expect(page.locator('[data-testid="compare-table"] tbody .cell-n').allTextContents()).resolves.toContain(
      'n=3',
    );

    await page.locator('nav a[data-view="runs"]').click();
    await page.getByTestId('filter-runs').fill('tag:pair');
    await expect.poll(shownIds).toEqual([ids[1], ids[3]]);
    await page.getByTestId('select-shown').check();
    await page.getByLabel(`Select run ${ids[1]}`, { exact: true }).uncheck();
    await expect(page.getByTestId('bulk-bar').locator('strong').textContent()).resolves.toBe('1 selected');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByText(`Delete run #${ids[3]}`).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(shownIds).toEqual([ids[1]]);
    const left = await apiCall<RunSummary[]>(session.served, 'listRuns', {});
    expect(left.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids.slice(0, 3));
    await expect(page.getByTestId('bulk-bar').count()).resolves.toBe(0);
  });

  it("shows a failed run's log, the error marked, and that the dataset changed since it trained", async () => {
    const { db, store } = openStore(path.join(session.dataDir, 'workbench.sqlite'));
    let id: number;
    try {
      const result = syntheticResult('synthetic', 9, SMALL_SHAPE);
      id = store.createRun({ kind: 'train', config: result.config, seed: 9, experiment: 'page' });
      store.markRunning(id);
      store.setTrainedFingerprint(id, OLD_FINGERPRINT);
      // The dataset as a run that read it last recorded it (no later view asks this one's report: it has no files).
      store.saveDataset({ key: 'synthetic', displayName: 'synthetic', fingerprint: FINGERPRINT });
      store.appendLog(id, 'info', 'started, 4 epochs on e2e (pid 1): dataset synthetic, seed 9');
      store.appendLog(id, 'warning', 'checkpoint 2 was written by another run; skipped');
      store.recordEpoch(id, result.epochs[0]);
      store.appendLog(id, 'info', epochLine(result.epochs[0], 4));
      store.failRun(id, 'out of memory while scoring the val datagrp');
    } finally {
      db.close();
    }
    await page.goto(`${session.served.url}#/runs/${id}`);
    const log = page.getByTestId('run-log');
    await expect.poll(() => log.locator('li').count()).toBe(4);
    await expect(log.locator('li').nth(1).getAttribute('data-level')).resolves.toBe('warning');
    const last = log.locator('li').last();
    await expect(last.getAttribute('class')).resolves.toBe('error');
    await expect(last.textContent()).resolves.toMatch(/failed: out of memory while scoring the val datagrp$/);
    // The error is in the log, not a second time beside the results; the log is whole.
    expect(await page.getByTestId('run-error').count()).toBe(0);
    expect(await page.getByTestId('log-dropped').count()).toBe(0);
    await expect(page.getByTestId('run-fingerprint').textContent()).resolves.toBe(OLD_FINGERPRINT.slice(0, 16));
    await expect(page.getByTestId('dataset-changed').textContent()).resolves.toBe('the dataset changed since this run');

    // The first run trained on the data as it is now: no flag, and its log ends with its results.
    await page.goto(`${session.served.url}#/runs/${ids[0]}`);
    await expect.poll(() => page.getByTestId('run-log').locator('li').last().textContent()).toMatch(/kept epoch 4/);
    await expect(page.getByTestId('run-fingerprint').textContent()).resolves.toBe(FINGERPRINT.slice(0, 16));
    expect(await page.getByTestId('dataset-changed').count()).toBe(0);
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
