import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import { loadDataset, resolveDataset } from '../../data/dataset.ts';
import { openStore } from '../../store/open.ts';
import { recordedBaselineRun, recordedTrainRun } from '../../runs/record-run.ts';
import { runCli } from '../../../test/support/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CONFIG = path.join(ROOT, 'test', 'fixtures', 'tinylt', 'datasets.toml');
const GOLDEN = path.join(ROOT, 'test', 'golden', 'combos', 'tinylt-store.txt');
const EXPERIMENT = 'tiny combos';
let tmp: string;
let db: string;
const savedEnv = process.env.ALPHANET_DATA_DIR;

const cli = (...argv: string[]) => runCli(ROOT, argv);

/** Three short seeded runs and a baseline of tinylt, recorded into a fresh database; each run's result also as a JSON file. */
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-combos-'));
  process.env.ALPHANET_DATA_DIR = path.join(tmp, 'app');
  db = path.join(tmp, 'runs.sqlite');
  const ds = await loadDataset(resolveDataset('tinylt_synth', CONFIG), { cacheDir: null });
  const config = defaultRunConfig('tinylt_synth');
  config.training.n_neighbors = 3;
  config.training.train_epochs = 6;
  config.training.min_epochs = 2;
  config.training.sampler_args = [{}, { r: '0.5' }];
  const { db: handle, store } = openStore(db, tmp);
  try {
    await recordedBaselineRun(store, ds, { backend: 'cpu' });
    for (const seed of [1, 2, 3]) {
      const { runId, result } = await recordedTrainRun(store, ds, config, {
        seed,
        experiment: EXPERIMENT,
        backend: 'cpu',
      });
      const dir = path.join(tmp, 'results', 'exp', `rep_${seed}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ ...result, network: store.getNetwork(runId) }));
    }
  } finally {
    handle.close();
  }
}, 120_000);

afterAll(() => {
  if (savedEnv === undefined) delete process.env.ALPHANET_DATA_DIR;
  else process.env.ALPHANET_DATA_DIR = savedEnv;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('alphanet combos', () => {
  it("prints the original's text block for an experiment in the store (golden file)", async () => {
    const { code, out, err } = await cli(
      'combos',
      '--experiment',
      EXPERIMENT,
      '--db',
      db,
      '--config',
      CONFIG,
      '--no-cache',
      '--backend',
      'cpu',
      '--mistake-n',
      '3',
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN, out);
    expect(out).toBe(fs.readFileSync(GOLDEN, 'utf8'));
    expect(out.split('Training samples:').length - 1).toBe(5);
    expect(out).toContain('across 3 repetition(s)');
  });

  it('gives the same report from the result files, re-evaluating each network', async () => {
    const fromFiles = await cli(
      'combos',
      '--base-res-dir',
      path.join(tmp, 'results'),
      '--rel-exp-path',
      'exp',
      '--res-files-pattern',
      'rep_*/result.json',
      '--config',
      CONFIG,
      '--no-cache',
      '--backend',
      'cpu',
      '--mistake-n',
      '3',
    );
    expect(fromFiles.err).toBe('');
    expect(fromFiles.code).toBe(0);
    expect(fromFiles.out).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it("reads the original's result file: its network's per-class test accuracies and α̃", async () => {
    const expected = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'tinylt', 'expected.json'), 'utf8'),
    ) as {
      train_run: { test_acc_per_class: Record<string, number>; alphas_per_few_class: Record<string, number[]> };
    };
    const { code, out, err } = await cli(
      'combos',
      '--base-res-dir',
      path.join(ROOT, 'test', 'fixtures', 'tinylt'),
      '--res-files-pattern',
      'result.pth',
      '--config',
      CONFIG,
      '--no-cache',
      '--backend',
      'cpu',
      '--select-n',
      '10',
      '--mistake-n',
      '0',
      '--eval-batch-size',
      '1024',
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const blocks = out.split('*'.repeat(44)).filter((b) => b.includes('Training samples'));
    expect(blocks).toHaveLength(10);
    for (const block of blocks) {
      const id = Number(/^\[class_(\d+)\]/m.exec(block.trim())![1]);
      const acc = Number(/Mean AlphaNet accuracy: ([\d.]+)/.exec(block)![1]);
      expect(acc).toBeCloseTo(expected.train_run.test_acc_per_class[String(id)]!, 2);
      const alphas = [...block.matchAll(/\+ \(([-\d.e]+)\)/g)].map((m) => Number(m[1]));
      expect(alphas).toEqual(
        expected.train_run.alphas_per_few_class[String(id)]!.slice(1).map((a) => Number(a.toPrecision(2))),
      );
    }
  });

  it('selects by accuracy, smallest first, and limits the classes', async () => {
    const { code, out } = await cli(
      'combos',
      '--experiment',
      EXPERIMENT,
      '--db',
      db,
      '--config',
      CONFIG,
      '--no-cache',
      '--select-by',
      'acc',
      '--no-select-max',
      '--select-n',
      '2',
    );
    expect(code).toBe(0);
    const accs = [...out.matchAll(/Mean AlphaNet accuracy: ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(accs).toHaveLength(2);
    expect(accs[0]).toBeLessThanOrEqual(accs[1]!);
  });

  it('explains what is missing', async () => {
    expect((await cli('combos', '--db', db)).err).toMatch(/either --experiment .* or --base-res-dir/);
    const none = await cli('combos', '--experiment', 'nope', '--db', db, '--config', CONFIG);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no finished training runs of experiment 'nope'/);
    const files = await cli('combos', '--base-res-dir', tmp, '--res-files-pattern', '*.none', '--config', CONFIG);
    expect(files.code).toBe(1);
    expect(files.err).toMatch(/no result files match/);
  });
});

describe('alphanet inspector', () => {
  it("prints one plot's data as CSV and writes everything to a folder", async () => {
    const base = ['--experiment', EXPERIMENT, '--db', db, '--config', CONFIG, '--no-cache', '--backend', 'cpu'];
    const csv = await cli('inspector', ...base, '--plot', 'deltaVsDistance');
    expect(csv.code).toBe(0);
    const lines = csv.out.trim().split('\n');
    expect(lines[0]).toBe(
      'class_id,name,mean_neighbour_distance_euclidean,delta_acc,fit_slope,fit_intercept,pearson_r',
    );
    expect(lines).toHaveLength(1 + 10);
    const semantic = await cli('inspector', ...base, '--plot', 'semanticAccuracy');
    expect(semantic.code).toBe(1);
    expect(semantic.err).toMatch(/needs WordNet ids/);
    const out = path.join(tmp, 'inspector-out');
    expect((await cli('inspector', ...base, '--out-dir', out)).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual([
      'accVsSamples.csv',
      'alphaDistribution.csv',
      'deltaBySplit.csv',
      'deltaVsDistance.csv',
      'inspector.json',
      'predictionChanges.csv',
    ]);
    const data = JSON.parse(fs.readFileSync(path.join(out, 'inspector.json'), 'utf8')) as {
      runs: unknown[];
      fewClasses: { combination: unknown[] }[];
    };
    expect(data.runs).toHaveLength(3);
    expect(data.fewClasses.every((f) => f.combination.length === 3)).toBe(true);
  });
});
