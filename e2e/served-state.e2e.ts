/**
 * What persists in served mode: the Curves screen lives in its link (a reload restores it), the chart
 * settings are remembered, a restarted server keeps its token (an open tab keeps working), and a
 * browser without the token gets a sign-in form that takes it.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { openStore } from '../src-main/store/open.ts';
import { recordFinished, SMALL_SHAPE, syntheticResult } from '../src-main/store/test-records.ts';
import { describeInBrowser, screenshot } from './harness.ts';

describeInBrowser('state that persists in served mode', (session) => {
  let page: Page;
  let ids: number[] = [];

  beforeAll(async () => {
    page = session.page;
    const { db, store } = openStore(path.join(session.dataDir, 'workbench.sqlite'));
    try {
      ids = [1, 2, 3].map((seed) => recordFinished(store, syntheticResult('synthetic', seed, SMALL_SHAPE), 'persist'));
    } finally {
      db.close();
    }
    await page.goto(session.served.url);
    await page.locator('nav[aria-label="Views"]').waitFor();
  });

  const ticked = async () =>
    (
      await page
        .locator('[data-testid="curve-runs"] input[type="checkbox"]:checked')
        .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-run'))))
    ).sort((a, b) => a - b);

  it('restores the Curves screen from its link after a reload', async () => {
    await page.locator('nav a[data-view="curves"]').click();
    await expect.poll(ticked).toEqual(ids);
    await page.locator(`[data-testid="curve-runs"] input[data-run="${ids[1]}"]`).uncheck();
    await page.getByTestId('smoothing').fill('0.85');
    await page.getByLabel('Log-scale y axis').check();
    await page.locator('input[type="radio"][value="relative"]').check();
    await page.locator('details[data-group="alphas"] > summary').click();
    // The link follows each change a moment later: wait for the last one (the section just opened).
    const linkQuery = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');
    await expect.poll(() => linkQuery().get('open')).toBe('loss,validation,alphas');
    const query = linkQuery();
    expect(Object.fromEntries(query)).toMatchObject({
      runs: `${ids[0]},${ids[2]}`,
      smoothing: '0.85',
      x: 'relative',
      logy: '1',
      open: 'loss,validation,alphas',
    });

    await page.reload();
    await page.locator('figure[data-tag="epoch_loss"]').waitFor();
    await expect.poll(ticked).toEqual([ids[0], ids[2]]);
    await expect(page.getByTestId('smoothing-value').textContent()).resolves.toBe('0.850');
    await expect(page.getByLabel('Log-scale y axis').isChecked()).resolves.toBe(true);
    await expect(page.locator('input[type="radio"][value="relative"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('details[data-group="alphas"]').getAttribute('open')).resolves.not.toBeNull();
    await expect.poll(() => page.locator('figure[data-tag^="alphas/"]').count()).toBeGreaterThan(0);
  });

  it('remembers the chart settings when the Curves view is opened without a link', async () => {
    await page.goto(new URL('/', session.served.origin).href);
    await page.locator('nav a[data-view="curves"]').click();
    await expect(page.getByTestId('smoothing-value').textContent()).resolves.toBe('0.850');
    await expect(page.getByLabel('Log-scale y axis').isChecked()).resolves.toBe(true);
  });

  it("filters the Runs table as you type, and keeps the Inspector's exact experiment from the link", async () => {
    await page.goto(new URL('/#/runs', session.served.origin).href);
    const rows = page.locator('[data-testid="runs-table"] tbody tr[data-run]');
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByTestId('filter-runs').pressSequentially('seed 2');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().getAttribute('data-run')).resolves.toBe(String(ids[1]));
    await page.getByTestId('filter-runs').fill('seed [13]$|nothing');
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByTestId('filter-runs').fill('seed [13] ');
    await expect.poll(() => rows.count()).toBe(2);
    await page.goto(new URL('/#/runs?experiment=elsewhere', session.served.origin).href);
    await page.reload();
    await page.getByTestId('filter-experiment').waitFor();
    await page.getByText('No runs match the filter').waitFor();
    await page.getByTestId('filter-experiment').getByRole('button').click();
    await expect.poll(() => rows.count()).toBe(3);
  });

  it('keeps the token across a server restart: the open tab reloads without signing in', async () => {
    await page.goto('about:blank');
    const before = session.served.token;
    await session.restartServer();
    expect(session.served.token).toBe(before);
    await page.goto(new URL('/#/curves', session.served.origin).href);
    await page.locator('nav[aria-label="Views"]').waitFor();
  });

  it('asks a browser without the token to sign in, and takes the token', async () => {
    const context = await session.browser.newContext({ viewport: { width: 1024, height: 700 } });
    try {
      const fresh = await context.newPage();
      await fresh.goto(new URL('/', session.served.origin).href);
      const form = fresh.getByTestId('sign-in');
      await form.waitFor();
      await fresh.getByLabel('Token').fill('not-the-token');
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.getByRole('alert').waitFor();
      await screenshot(fresh, 'sign-in');
      await fresh.getByLabel('Token').fill(session.served.token);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.locator('nav[aria-label="Views"]').waitFor();
      // The token left the address bar once the app took it.
      expect(fresh.url()).not.toContain('token=');
    } finally {
      await context.close();
    }
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
