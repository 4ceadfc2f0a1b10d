/**
 * Distributed mode in the browser: a served workbench on a Redis, two `alphanet worker` processes; a
 * sweep launched from the form runs across both, one worker is killed mid-run, and every run still
 * finishes exactly once.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { QueueInfo, RunSummary } from '../src-shared/api.ts';
import { redisAvailable, startRedis, type RedisServer } from '../test/support/redis-server.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/support/workers.ts';
import { apiCall, describeInBrowser, runsDone, screenshot, type Served } from './harness.ts';

const EXPERIMENT = 'e2e distributed';
/** k ∈ {3, 5} × 2 seeds. */
const RUNS = 4;
const EPOCHS = 120;
let redis: RedisServer | null = null;
const workers = new Map<string, WorkerProcess>();

describeInBrowser(
  'distributed runs in served mode',
  (session) => {
    let page: Page;
    let served: Served;

    beforeAll(async () => {
      ({ page, served } = session);
      await page.goto(served.url);
      await page.locator('nav[aria-label="Views"]').waitFor();
    });

    it('lists the live workers in the Runs view', async () => {
      await page.locator('nav a[data-view="runs"]').click();
      const panel = page.getByTestId('workers-panel');
      await expect
        .poll(() => panel.locator('summary').textContent(), { timeout: 20_000 })
        .toMatch(/Workers · 2 live on redis:\/\/:\*\*\*@127\.0\.0\.1/);
      await expect.poll(() => panel.locator('tr[data-worker]').count()).toBe(2);
      const info = await apiCall<QueueInfo>(served, 'getQueueInfo', {});
      expect(info.workers.map((w) => w.name)).toEqual(['gpu-a', 'gpu-b']);
    });

    it('runs a sweep launched from the form on both workers; a worker killed mid-run loses nothing', async () => {
      await page.locator('nav a[data-view="datasets"]').click();
      await page.getByTestId('add-demo').click();
      await page.getByTestId('dataset-report').waitFor({ timeout: 60_000 });
      await page.locator('nav a[data-view="launch"]').click();
      await page.locator('#f-experiment').fill(EXPERIMENT);
      await page.locator('#f-train_epochs').fill(String(EPOCHS));
      await page.locator('#f-min_epochs').fill('5');
      await page.locator('#f-repetitions').fill('2');
      await page.getByTestId('add-sweep-param').click();
      await page.getByTestId('sweep-param-0').selectOption('training.n_neighbors');
      await page.getByTestId('sweep-values-0').fill('3, 5');
      await page.getByTestId('launch-submit').click();
      await expect(page.getByTestId('launch-message').textContent()).resolves.toMatch(
        new RegExp(`Queued ${RUNS} runs`),
      );

      await page.locator('nav a[data-view="runs"]').click();
      // Both workers take a run; the Worker column says which.
      const running = async () =>
        (await apiCall<RunSummary[]>(served, 'listRuns', { experiment: EXPERIMENT, status: 'running' })).filter(
          (r) => r.epochsDone >= 2,
        );
      await expect.poll(async () => new Set((await running()).map((r) => r.worker)).size, { timeout: 90_000 }).toBe(2);
      await expect.poll(() => page.locator('td[data-col="worker"]', { hasText: 'gpu-a' }).count()).toBeGreaterThan(0);
      await screenshot(page, 'workers');

      const victim = (await running())[0];
      workers.get(victim.worker as string)?.child.kill('SIGKILL');
      const runs = await runsDone(served, { experiment: EXPERIMENT }, RUNS, 240_000);
      expect(runs).toHaveLength(RUNS);
      for (const run of runs) expect(run.epochsDone).toBe(EPOCHS);
      const taken = runs.find((r) => r.id === victim.id);
      expect(taken?.worker).not.toBe(victim.worker);
      await expect
        .poll(() => page.locator('tr[data-status="done"]', { hasText: EXPERIMENT }).count(), { timeout: 10_000 })
        .toBe(RUNS);
      expect(session.pageErrors).toEqual([]);
    });
  },
  {
    enabled: redisAvailable(),
    async before() {
      redis = await startRedis({ password: 'e2e pass' });
      for (const name of ['gpu-a', 'gpu-b'])
        workers.set(name, await startWorkerProcess(redis.url, name, ['--lock-ms', '2000']));
      return ['--queue', redis.url];
    },
    async after() {
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await redis?.stop();
    },
  },
);
