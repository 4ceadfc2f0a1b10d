import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.ts';
import { openDb } from '../../store/db.ts';
import { RunStore } from '../../store/run-store.ts';
import { parseArgs } from '../args.ts';
import { command, sweepFileArgs } from './sweep.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
let tmp: string;
let db: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-sweep-'));
  db = path.join(tmp, 'workbench.sqlite');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(tmp, argv);

const SHORT = [
  '--training:train-epochs',
  '2',
  '--training:min-epochs',
  '1',
  '--backend',
  'wasm',
  '--db',
  'workbench.sqlite',
];

describe('alphanet sweep', () => {
  it('trains 2 parameters × 2 values × 2 reps on the demo; results then show one row per config, named by its values, n = 2', async () => {
    const sweep = await cli(
      'sweep',
      '--dataset',
      'demo',
      '--grid',
      'training:n-neighbors=3,5',
      '--grid',
      'r=0.5,1',
      '--reps',
      '2',
      '--name',
      'grid',
      ...SHORT,
    );
    expect(sweep.err).toBe('');
    expect(sweep.code).toBe(0);
    // Concurrent runs (one per core) print as they finish: in any order.
    const progress = sweep.out.split('\n').filter((l) => l.startsWith('['));
    expect(progress.map((l) => l.replace(/:.*/, '')).sort()).toEqual([
      '[1/8] k=3, ρ=0.5, seed 1',
      '[2/8] k=3, ρ=0.5, seed 2',
      '[3/8] k=3, ρ=1, seed 1',
      '[4/8] k=3, ρ=1, seed 2',
      '[5/8] k=5, ρ=0.5, seed 1',
      '[6/8] k=5, ρ=0.5, seed 2',
      '[7/8] k=5, ρ=1, seed 1',
      '[8/8] k=5, ρ=1, seed 2',
    ]);
    // The results table at the end: the baseline, then a row per config.
    expect(sweep.out).toMatch(/^grid: k=5, ρ=1 +\d/m);

    const csv = await cli('results', '--experiment', 'grid', '--db', db, '--format', 'csv');
    expect(csv.code).toBe(0);
    const rows = csv.out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.match(/^([^,]+),("[^"]*"|[^,]*),(\d+)/)!.slice(1, 4));
    expect(rows).toEqual([
      ['demo', 'Baseline', '1'],
      ['demo', '"grid: k=3, ρ=0.5"', '2'],
      ['demo', '"grid: k=3, ρ=1"', '2'],
      ['demo', '"grid: k=5, ρ=0.5"', '2'],
      ['demo', '"grid: k=5, ρ=1"', '2'],
    ]);

    const latex = await cli('results', '--experiment', 'grid', '--db', db, '--format', 'latex');
    expect(latex.out).toContain('grid: k=5, $\\rho$=0.5 &');
    const markdown = await cli('results', '--experiment', 'grid', '--db', db, '--format', 'markdown');
    expect(markdown.out).toMatch(/^\| grid: k=3, ρ=1 \|/m);

    // `alphanet runs` names each run by its values too.
    const runs = await cli('runs', '--experiment', 'grid', '--db', db);
    expect(runs.out).toContain('k=3, ρ=0.5');
    expect(runs.out).not.toMatch(/[0-9a-f]{7}/);
  }, 120_000);

  it('records the same results with 2 runs at a time on threads as one at a time, epochs and alphas included', async () => {
    const sweep = (n: string) =>
      cli(
        'sweep',
        '--dataset',
        'demo',
        '--grid',
        'training:n-neighbors=3,5',
        '--reps',
        '2',
        '--name',
        `c${n}`,
        '--concurrency',
        n,
        ...SHORT,
      );
    for (const n of ['1', '2']) {
      const out = await sweep(n);
      expect(out.err).toBe('');
      expect(out.code).toBe(0);
    }
    const store = new RunStore(openDb(db));
    try {
      const recorded = (experiment: string) =>
        new Map(
          store.listRuns({ experiment }).map((run) => {
            const { epochs, ...rest } = store.exportRun(run.id);
            // Wall time is the only thing that may differ.
            return [
              `k=${run.config.training.n_neighbors} seed ${run.seed}`,
              { ...rest, epochs: epochs.map(({ wall_time: _, ...e }) => e) },
            ];
          }),
        );
      const one = recorded('c1');
      const two = recorded('c2');
      expect(one.size).toBe(4);
      for (const [key, result] of one) {
        expect(result.epochs).toHaveLength(2);
        expect(Object.keys(result.alphas).length).toBeGreaterThan(0);
        expect(two.get(key), key).toEqual(result);
      }
    } finally {
      store.db.close();
    }
  });

  it('reads a k-sweep one config at a time in combos and the inspector, never pooling configs', async () => {
    const combos = await cli('combos', '--experiment', 'grid', '--db', db, '--select-n', '1', '--mistake-n', '1');
    expect(combos.code).toBe(0);
    expect(combos.out.match(/^== .* ==$/gm)).toEqual([
      '== grid (k=3, ρ=0.5) ==',
      '== grid (k=3, ρ=1) ==',
      '== grid (k=5, ρ=0.5) ==',
      '== grid (k=5, ρ=1) ==',
    ]);
    const pooled = await cli('inspector', '--experiment', 'grid', '--db', db, '--plot', 'deltaBySplit');
    expect(pooled.code).toBe(2);
    expect(pooled.err).toMatch(/is a sweep of 4 configs .*choose one with --group/);
    const one = await cli('inspector', '--experiment', 'grid', '--group', 'k=3,ρ=1', '--db', db);
    expect(one.code).toBe(0);
    const data = JSON.parse(one.out) as { experiment: string; runs: unknown[] };
    expect([data.experiment, data.runs.length]).toEqual(['grid (k=3, ρ=1)', 2]);
    expect((await cli('combos', '--experiment', 'grid', '--group', 'k=4', '--db', db)).err).toMatch(
      /has no config 'k=4' \(its configs: 'k=3, ρ=0.5'/,
    );
  }, 60_000);

  it('refuses a sweep with a bad value before training anything, naming the parameter and the value', async () => {
    const bad = await cli(
      'sweep',
      '--dataset',
      'demo',
      '--grid',
      'k=3,500',
      '--grid',
      'training:nn-dist=euclidean,manhattan',
      '--name',
      'bad',
      ...SHORT,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /--grid training:nn-dist=euclidean,manhattan: dist = "manhattan": not one of euclidean, cosine, random/,
    );
    const big = await cli('sweep', '--dataset', 'demo', '--grid', 'k=3,500', '--name', 'bad', ...SHORT);
    expect(big.code).toBe(2);
    expect(big.err).toMatch(
      /nothing was trained:\n {2}sweep.training.n_neighbors: k = 500: must be less than the number of base classes of 'demo' \(\d+\)/,
    );
    const listed = await cli('runs', '--experiment', 'bad', '--db', db);
    expect(listed.out.trim()).toBe('no runs recorded');
  }, 60_000);

  it('reads a TOML sweep file (the README example) as the flags that say the same', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = readme.match(/```toml\n(# rho-sweep\.toml[\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    const file = path.join(tmp, 'rho-sweep.toml');
    fs.writeFileSync(file, example!);
    const parsed = parseArgs(command.spec, sweepFileArgs(file));
    expect(parsed.flags.get('grid')).toEqual(['r=0.1,0.5,1,1.5,2']);
    expect(parsed.flags.get('reps')).toBe(10);
    expect(parsed.flags.get('training:selection')).toBe('min-epochs');
    const dry = await cli('sweep', '--file', file, '--dataset', 'demo', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('5 configs × 10 seeds = 50 runs');
    expect(dry.out).toContain('ρ=1.5  seeds 1 2 3 4 5 6 7 8 9 10');

    fs.writeFileSync(file, 'name = "x"\n[grid]\nk = [3, "five"]\n');
    const wrong = await cli('sweep', '--file', file, '--dataset', 'demo', '--dry-run');
    expect(wrong.err).toMatch(/--grid k=3,five: k = "five": not a number/);
    fs.writeFileSync(file, 'nme = "x"\n');
    expect((await cli('sweep', '--file', file)).err).toMatch(/rho-sweep.toml: unknown key 'nme'/);
  });

  it('draws random configs reproducibly', async () => {
    const args = [
      'sweep',
      '--dataset',
      'demo',
      '--random',
      '3',
      '--random-seed',
      '4',
      '--range',
      'lr=1e-4:1e-2',
      '--range',
      'alphanet:hact=relu|tanh',
      '--dry-run',
    ];
    const a = await cli(...args);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/lr=[\d.e-]+, act=(relu|tanh) {2}seeds 1/);
    expect((await cli(...args)).out).toBe(a.out);
  });
});
