import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  README_BASELINE,
  README_CONSOLE,
  README_R01,
  README_R02,
  README_R03,
  evalMetrics,
  runResult,
  seriesMetrics,
  type SplitSeries,
} from '../../../test/results-fixture.ts';
import { openStore } from '../../store/open.ts';
import { recordFinished } from '../../store/test-records.ts';
import type { CliIO } from '../command.ts';
import { main } from '../main.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-results-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(rel: string, value: unknown): void {
  fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

// Two experiments × 3 repetitions (few, medium, many, overall per rep) and a baseline.
const EXPERIMENTS: Record<string, number[][]> = {
  'rho_0.5': [
    [0.397, 0.421, 0.583, 0.48],
    [0.412, 0.418, 0.579, 0.476],
    [0.383, 0.426, 0.588, 0.485],
  ],
  rho_1: [
    [0.346, 0.437, 0.597, 0.486],
    [0.361, 0.44, 0.601, 0.489],
    [0.329, 0.433, 0.592, 0.483],
  ],
};
for (const [dir, reps] of Object.entries(EXPERIMENTS)) {
  reps.forEach(([few, medium, many, overall], i) => {
    write(
      `res/${dir}/rep_${i + 1}/result.json`,
      runResult(evalMetrics(few, medium, many, overall), { seed: i, r: dir.slice(4) }),
    );
  });
  write(`res/${dir}/rep_1/train.log`, 'not a result');
}
write('baseline.json', runResult(evalMetrics(0.274, 0.462, 0.618, 0.496), { kind: 'baseline' }));

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    err(text: string) {
      io.stderr += text.endsWith('\n') ? text : `${text}\n`;
    },
    isTTY: false,
    cwd: root,
  };
  return io;
}

const BASE_ARGS = [
  'results',
  '--base-res-dir',
  'res',
  '--rel-exp-paths',
  'rho_0.5',
  'rho_1',
  '--res-files-pattern',
  'rep_*/result.json',
];

describe('alphanet results', () => {
  it('prints the original table and CSV from our result JSON files (python statistics reference)', async () => {
    const io = capture();
    const code = await main(
      [
        ...BASE_ARGS,
        '--exp-names',
        '0.5',
        '1',
        '--exp-prefix',
        'AlphaNet (ρ=',
        '--exp-suffix',
        ')',
        '--baseline-file',
        'baseline.json',
      ],
      io,
    );
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toBe(
      [
        'Experiment                Few         Med.         Many      Overall',
        '----------------  -----------  -----------  -----------  -----------',
        'Baseline                 27.4         46.2         61.8         49.6',
        'AlphaNet (ρ=0.5)  39.7^±1.45^  42.2^±0.40^  58.3^±0.45^  48.0^±0.45^',
        'AlphaNet (ρ=1)    34.5^±1.60^  43.7^±0.35^  59.7^±0.45^  48.6^±0.30^',
        '',
        'Experiment,Few,Medium,Many,Overall',
        'Baseline,27.4,46.2,61.8,49.6',
        'AlphaNet (ρ=0.5),39.7,42.2,58.3,48.0',
        'AlphaNet (ρ=1),34.5,43.7,59.7,48.6',
        '',
        '',
      ].join('\n'),
    );
  });

  it('names experiments by path, writes LaTeX to a file and notes a missing baseline', async () => {
    const io = capture();
    const code = await main(
      [...BASE_ARGS, '--format', 'latex', '--latex-style', 'sub', '--out', 'table.tex', '--config', 'none.toml'],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/note: no baseline row for imagenetlt: .*none\.toml/);
    const tex = fs.readFileSync(path.join(root, 'table.tex'), 'utf8');
    expect(tex).toContain('    rho\\_0.5 & $\\textbf{39.7}_{\\pm 1.45}$ & $\\underline{42.2}_{\\pm 0.40}$');
    expect(tex).toContain('over 3 runs');
  });

  it('sorts and exports CSV / Markdown without a baseline', async () => {
    const io = capture();
    expect(await main([...BASE_ARGS, '--no-baseline', '--sort-by', 'overall', '--format', 'csv'], io)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(',')[1])).toEqual(['Experiment', 'rho_1', 'rho_0.5']);
    const md = capture();
    expect(await main([...BASE_ARGS, '--no-baseline', '--format', 'markdown'], md)).toBe(0);
    expect(md.stdout).toContain('| rho\\_0.5 | **39.7** ± 1.45 |');
  });

  it("reads the original's result.pth files (default pattern **/*.pth)", async () => {
    const fixture = path.resolve(import.meta.dirname, '../../../test/fixtures/tinylt/result.pth');
    for (const rep of ['run_1', 'run_2']) {
      fs.mkdirSync(path.join(root, 'orig', 'rho_0.5', rep), { recursive: true });
      fs.copyFileSync(fixture, path.join(root, 'orig', 'rho_0.5', rep, 'result.pth'));
    }
    const io = capture();
    expect(await main(['results', '--base-res-dir', 'orig', '--rel-exp-paths', 'rho_0.5', '--no-baseline'], io)).toBe(
      0,
    );
    // expected.json: test_acc_per_split few 0.165, medium 0.6875 (68.75 → 68.8, Python's tie to even), many 0.875; accuracy 0.5633
    expect(io.stdout.split('\n').slice(0, 3)).toEqual([
      'Experiment          Few         Med.         Many      Overall',
      '----------  -----------  -----------  -----------  -----------',
      'rho_0.5     16.5^±0.00^  68.8^±0.00^  87.5^±0.00^  56.3^±0.00^',
    ]);
    const asBaseline = capture();
    const code = await main(
      [...BASE_ARGS, '--baseline-file', path.join('orig', 'rho_0.5', 'run_1', 'result.pth')],
      asBaseline,
    );
    expect(code).toBe(1);
    expect(asBaseline.stderr).toMatch(/result\.pth: is a training result, not a baseline file/);
  });

  it('reports bad input clearly', async () => {
    const run = async (...extra: string[]) => {
      const io = capture();
      const code = await main(extra.length ? extra : BASE_ARGS, io);
      return { code, err: io.stderr };
    };
    expect(await run('results', '--base-res-dir', 'res', '--rel-exp-paths', 'nope', '--no-baseline')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/missing results folder: .*nope/),
    });
    expect(
      await run(
        'results',
        '--base-res-dir',
        'res',
        '--rel-exp-paths',
        'rho_1',
        '--res-files-pattern',
        '*.json',
        '--no-baseline',
      ),
    ).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no result files match '\*\.json'/),
    });
    expect(await run(...BASE_ARGS, '--exp-names', 'a')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/2 experiment paths/),
    });
    expect(await run(...BASE_ARGS, '--exp-names', 'a', 'a', '--no-baseline')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/two experiments are named 'a'/),
    });
    write(
      'res/bad/rep_1/result.json',
      '{"kind": "train", "dataset": "x", "seed": 1, "config": {}, "selection": "best-val", "test": {"accuracy": 1.5}}',
    );
    expect(
      await run(
        'results',
        '--base-res-dir',
        'res',
        '--rel-exp-paths',
        'bad',
        '--res-files-pattern',
        '**/*.json',
        '--no-baseline',
      ),
    ).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /bad\/rep_1\/result\.json: test\.accuracy should be an accuracy in \[0, 1\], got 1\.5/,
      ),
    });
    write('res/trunc/rep_1/result.json', '{"kind": "tr');
    expect(
      (
        await run(
          'results',
          '--base-res-dir',
          'res',
          '--rel-exp-paths',
          'trunc',
          '--res-files-pattern',
          '**/*.json',
          '--no-baseline',
        )
      ).err,
    ).toMatch(/trunc\/rep_1\/result\.json: is not valid JSON/);
  });
});

describe('alphanet results --experiment (the store)', () => {
  const db = path.join(root, 'store', 'workbench.sqlite');
  const R: [string, SplitSeries, string][] = [
    ['AlphaNet (r=0.1)', README_R01, '0.1'],
    ['AlphaNet (r=0.2)', README_R02, '0.2'],
    ['AlphaNet (r=0.3)', README_R03, '0.3'],
  ];
  const NAMES = R.map(([name]) => name);
  {
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const { db: handle, store } = openStore(db, root);
    const b = README_BASELINE;
    // An older baseline with other numbers: the newest finished one is the row.
    recordFinished(store, runResult(evalMetrics(0.1, 0.1, 0.1, 0.1), { kind: 'baseline' }), 'imagenetlt baseline');
    recordFinished(
      store,
      runResult(evalMetrics(b.few, b.medium, b.many, b.overall), { kind: 'baseline' }),
      'imagenetlt baseline',
    );
    for (const [name, series, r] of R) {
      series.few.forEach((_, i) => recordFinished(store, runResult(seriesMetrics(series, i), { seed: i, r }), name));
    }
    // Not finished: no row counts it.
    store.createRun({
      kind: 'train',
      config: runResult(evalMetrics(0, 0, 0, 0), { r: '0.1' }).config,
      seed: 99,
      experiment: 'AlphaNet (r=0.1)',
    });
    R.slice(0, 2).forEach(([name, series, r]) =>
      series.few
        .slice(0, 3)
        .forEach((_, i) =>
          recordFinished(store, runResult(seriesMetrics(series, i), { seed: i, r, dataset: 'placeslt' }), name),
        ),
    );
    store.saveDataset({ key: 'placeslt', displayName: 'Places-LT | cRT' });
    handle.close();
  }
  const run = async (...extra: string[]) => {
    const io = capture();
    const code = await main(['results', '--db', db, ...extra], io);
    return { code, out: io.stdout, err: io.stderr };
  };

  it("prints the README's table from recorded runs: the newest baseline run first, the experiments as named", async () => {
    expect(await run('--experiment', ...NAMES, '--dataset', 'imagenetlt')).toEqual({
      code: 0,
      out: README_CONSOLE,
      err: '',
    });
  });

  it('makes a table per dataset the experiments ran on, titled by display name, and notes a missing baseline', async () => {
    const { code, out, err } = await run('--experiment', 'AlphaNet (r=0.2)', 'AlphaNet (r=0.1)', '--format', 'csv');
    expect(code).toBe(0);
    expect(err).toMatch(/note: no baseline row for placeslt: no finished baseline run in .*workbench\.sqlite/);
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((l) => l.split(',').slice(0, 3).join(',')),
    ).toEqual([
      'Dataset,Experiment,Runs',
      'imagenetlt,Baseline,1',
      'imagenetlt,AlphaNet (r=0.2),10',
      'imagenetlt,AlphaNet (r=0.1),10',
      'placeslt,AlphaNet (r=0.2),3',
      'placeslt,AlphaNet (r=0.1),3',
    ]);
    const consoleOut = (await run('--experiment', 'AlphaNet (r=0.1)')).out;
    expect(consoleOut).toContain('\n\nPlaces-LT | cRT:\n================\n\n');
    expect(consoleOut).toContain('\n\nimagenetlt:\n');
  });

  it('exports LaTeX with the runs in the caption, and top-5 (an Overall value only) as the files mode does', async () => {
    const tex = await run(
      '--experiment',
      'AlphaNet (r=0.1)',
      '--dataset',
      'imagenetlt',
      '--format',
      'latex',
      '--latex-style',
      'sup',
    );
    expect(tex.out).toContain('over 10 runs (baseline: a single evaluation)');
    expect(tex.out).toContain('    AlphaNet (r=0.1) & $\\textbf{47.6}^{1.60}$');
    const top5 = await run(
      '--experiment',
      'AlphaNet (r=0.1)',
      '--dataset',
      'imagenetlt',
      '--metric',
      'top5',
      '--no-baseline',
      '--format',
      'csv',
    );
    // evalMetrics' top-5 is overall + 25 points.
    expect(top5.out.trimEnd().split('\n')[1]).toMatch(
      /^imagenetlt,AlphaNet \(r=0\.1\),10,,,0,,,0,,,0,70(\.0\d*)?,0\.41\d*,10$/,
    );
  });

  it('names what is missing or contradictory', async () => {
    expect(await run('--experiment', 'AlphaNet (r=0.1)', 'nope')).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /no finished runs of experiment 'nope' in .*workbench\.sqlite \(recorded: AlphaNet \(r=0\.1\), AlphaNet \(r=0\.2\), AlphaNet \(r=0\.3\)\)/,
      ),
    });
    expect(await run('--experiment', 'AlphaNet (r=0.3)', '--dataset', 'placeslt')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/experiment 'AlphaNet \(r=0\.3\)' on dataset 'placeslt'/),
    });
    expect(
      await run('--experiment', 'AlphaNet (r=0.1)', '--base-res-dir', 'res', '--rel-exp-paths', 'rho_1'),
    ).toMatchObject({
      code: 2,
      err: expect.stringMatching(/give either --experiment \(the store\) or --base-res-dir/),
    });
    expect(await run('--experiment', 'AlphaNet (r=0.1)', 'AlphaNet (r=0.1)')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/two experiments are named/),
    });
    expect(await run('--base-res-dir', 'res', '--rel-exp-paths', 'rho_1', '--dataset', 'x')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--dataset goes with --experiment/),
    });
  });
});
