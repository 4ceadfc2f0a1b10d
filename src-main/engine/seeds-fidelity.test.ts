/**
 * What the replay cannot see — the initialisation and the samplers' draws — checked statistically:
 * test/fixtures/tinylt/seeds.json holds the original's kept-epoch test accuracies for seeds 1–50 in
 * two settings. Ours over the same 50 seeds (our own random streams) must have the same distribution
 * per split: means within 0.5 pooled standard deviations, Welch p > 0.05, and equal spread (Levene,
 * median-centred) p > 0.05. Deterministic: our runs are seeded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig, type NNDist } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { leveneTest, mean, sampleStd, welchTTest } from '../../src-shared/stats.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { initBackend } from './backend.ts';
import { trainRun } from './run.ts';

const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt');
type Split = 'few' | 'medium' | 'many' | 'overall';
const SPLITS: Split[] = ['few', 'medium', 'many', 'overall'];
interface Setting {
  command: string;
  seeds: [number, number];
  n_neighbors: number;
  nn_dist: NNDist;
  best_epochs_seen: number[];
  runs: { seed: number; best_epoch: number; test_per_split: Record<Split, number> }[];
}
const study = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'seeds.json'), 'utf8')) as Record<
  'setting_A' | 'setting_B',
  Setting
>;

/** The flags of the original's command line that the settings vary. */
function flagValue(command: string, pattern: RegExp): string {
  const m = pattern.exec(command);
  if (!m) throw new Error(`no ${String(pattern)} in '${command}'`);
  return m[1];
}

let ds: LoadedDataset;
beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  ds = await loadDataset(resolveDataset('tinylt_synth', path.join(FIXTURE, 'datasets.toml')), { cacheDir: null });
});

for (const name of ['setting_A', 'setting_B'] as const) {
  const setting = study[name];
  describe(`50 seeds like the original's, ${name} (${setting.command.replace(/^run_train\.py /, '')})`, () => {
    const ours: Record<Split, number[]> = { few: [], medium: [], many: [], overall: [] };
    const kept: number[] = [];
    beforeAll(async () => {
      const config = defaultRunConfig('tinylt_synth');
      const t = config.training;
      t.sampler_args = [{}, { r: flagValue(setting.command, /sampler-args "" r=([\d.]+)/) }];
      t.train_epochs = Number(flagValue(setting.command, /--training:train-epochs (\d+)/));
      t.n_neighbors = setting.n_neighbors;
      t.nn_dist = setting.nn_dist;
      // The original keeps epoch min_epochs (spec §4); compare like with like.
      t.selection = 'min-epochs';
      for (const { seed } of setting.runs) {
        const { result } = await trainRun(ds, config, { seed, backend: 'wasm', cacheRoot: null });
        for (const split of SPLITS) ours[split].push(result.test.per_split[split]);
        kept.push(result.best_epoch ?? Number.NaN);
      }
    }, 120_000);

    it('keeps the same epoch as every original run', () => {
      expect(new Set(kept)).toEqual(new Set(setting.best_epochs_seen));
    });

    for (const split of SPLITS) {
      it(`has the original's distribution of ${split} test accuracy`, () => {
        const theirs = setting.runs.map((r) => r.test_per_split[split]);
        expect(ours[split]).toHaveLength(theirs.length);
        const pooled = Math.sqrt(((sampleStd(ours[split]) ?? 0) ** 2 + (sampleStd(theirs) ?? 0) ** 2) / 2);
        expect(Math.abs(mean(ours[split]) - mean(theirs))).toBeLessThanOrEqual(0.5 * pooled);
        expect(welchTTest(ours[split], theirs)?.p).toBeGreaterThan(0.05);
        expect(leveneTest([ours[split], theirs])?.p).toBeGreaterThan(0.05);
      });
    }
  });
}
