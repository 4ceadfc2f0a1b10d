import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evalMetrics, runResult } from '../../../test/results-fixture.ts';
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
    write(`res/${dir}/rep_${i + 1}/result.json`, runResult(evalMetrics(few, medium, many, overall), { seed: i, r: dir.slice(4) }));
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

const BASE_ARGS = ['results', '--base-res-dir', 'res', '--rel-exp-paths', 'rho_0.5', 'rho_1', '--res-files-pattern', 'rep_*/result.json'];

describe('alphanet results', () => {
  it('prints the original table and CSV from our result JSON files (python statistics reference)', async () => {
    const io = capture();
    const code = await main(
      [...BASE_ARGS, '--exp-names', '0.5', '1', '--exp-prefix', 'AlphaNet (ρ=', '--exp-suffix', ')', '--baseline-file', 'baseline.json'],
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
    const code = await main([...BASE_ARGS, '--format', 'latex', '--latex-style', 'sub', '--out', 'table.tex', '--config', 'none.toml'], io);
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
    expect(await main(['results', '--base-res-dir', 'orig', '--rel-exp-paths', 'rho_0.5', '--no-baseline'], io)).toBe(0);
    // expected.json: test_acc_per_split few 0.165, medium 0.6875 (68.75 → 68.8, Python's tie to even), many 0.875; accuracy 0.5633
    expect(io.stdout.split('\n').slice(0, 3)).toEqual([
      'Experiment          Few         Med.         Many      Overall',
      '----------  -----------  -----------  -----------  -----------',
      'rho_0.5     16.5^±0.00^  68.8^±0.00^  87.5^±0.00^  56.3^±0.00^',
    ]);
    const asBaseline = capture();
    const code = await main([...BASE_ARGS, '--baseline-file', path.join('orig', 'rho_0.5', 'run_1', 'result.pth')], asBaseline);
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
    expect(await run('results', '--base-res-dir', 'res', '--rel-exp-paths', 'rho_1', '--res-files-pattern', '*.json', '--no-baseline')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no result files match '\*\.json'/),
    });
    expect(await run(...BASE_ARGS, '--exp-names', 'a')).toMatchObject({ code: 1, err: expect.stringMatching(/2 experiment paths/) });
    expect(await run(...BASE_ARGS, '--exp-names', 'a', 'a', '--no-baseline')).toMatchObject({ code: 2, err: expect.stringMatching(/two experiments are named 'a'/) });
    write('res/bad/rep_1/result.json', '{"kind": "train", "dataset": "x", "seed": 1, "config": {}, "selection": "best-val", "test": {"accuracy": 1.5}}');
    expect(await run('results', '--base-res-dir', 'res', '--rel-exp-paths', 'bad', '--res-files-pattern', '**/*.json', '--no-baseline')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/bad\/rep_1\/result\.json: test\.accuracy should be an accuracy in \[0, 1\], got 1\.5/),
    });
    write('res/trunc/rep_1/result.json', '{"kind": "tr');
    expect((await run('results', '--base-res-dir', 'res', '--rel-exp-paths', 'trunc', '--res-files-pattern', '**/*.json', '--no-baseline')).err).toMatch(
      /trunc\/rep_1\/result\.json: is not valid JSON/,
    );
  });
});
