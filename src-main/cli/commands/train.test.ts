import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src-shared/result.ts';
import type { CliIO } from '../command.ts';
import { readEventFile, scalarSeries } from '../../tb/reader.ts';
import { main } from '../main.ts';
import { copyTinylt } from '../../../test/support/tinylt.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CONFIG = path.join(ROOT, 'test', 'fixtures', 'tinylt', 'datasets.toml');
let tmp: string;
const savedEnv = process.env.ALPHANET_DATA_DIR;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cli-'));
  process.env.ALPHANET_DATA_DIR = tmp;
});
afterAll(() => {
  if (savedEnv === undefined) delete process.env.ALPHANET_DATA_DIR;
  else process.env.ALPHANET_DATA_DIR = savedEnv;
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliIn(ROOT, argv);
}

async function cliIn(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTTY: false, cwd };
  const code = await main(argv, io);
  return { code, out, err };
}

const TINY = ['--dataset', 'tinylt_synth', '--config', CONFIG, '--no-cache', '--backend', 'wasm'];

describe('alphanet train / baseline / neighbors / eval', () => {
  it('documents every flag with its default', async () => {
    const { code, out } = await cli('train', '--help');
    expect(code).toBe(0);
    for (const name of [
      '--training:n-neighbors',
      '--training:sampler-builder:sampler-args',
      '--training:selection',
      '--n-ckpt',
      '--seed',
    ]) {
      expect(out).toContain(name);
    }
    expect(out).toContain('default: 25');
    expect(out).toContain('default: AllFewSampler ClassBalancedBaseSampler');
  });

  it('exits 2 with a clear message on usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown flag --bogus/],
      [
        ['--training:train-epochs', '3', '--training:min-epochs', '4'],
        /training\.min_epochs: must not exceed train_epochs \(3\)/,
      ],
      [
        ['--training:ptopt:optim-cls', 'LBFGS'],
        /not one of AdamW, Adam, SGD, Adagrad, RMSprop, Adadelta, Adamax, NAdam, RAdam/,
      ],
      [
        ['--training:ptopt:optim-cls', 'Adagrad', '--training:ptopt:optim-params', 'betas=(0.9,0.99)'],
        /Adagrad has no parameter 'betas'/,
      ],
      [['--alphanet:hact', 'softmax'], /softmax' is not elementwise/],
      [['--alphanet:hact', 'swish'], /unknown activation 'swish'/],
      [['--training:sampler-builder:sampler-args', '', 'r=abc'], /sampler_args\.1\.r: r: 'abc' must be a number > 0/],
      [['--training:sampler-builder:sampler-args', 'oops'], /not key=value/],
      [['--training:n-neighbors', '20'], /less than the number of base classes of '\w+' \(20\)/],
      [['--training:ptopt:optim-params', 'beta1=0.9'], /no parameter 'beta1'/],
      [['--alphanet:hdims', '32', 'x'], /'x' is not a number/],
      [['--alphanet:hdims', '32', '0'], /alphanet\.hdims\.1: hidden size 0 must be a whole number/],
      [['--seed', '-1'], /--seed/],
      [['--training:val-datagrp', 'dev'], /no datagrp 'dev'.*leave it empty to train without validation/],
    ];
    for (const [extra, message] of cases) {
      const { code, err } = await cli('train', ...TINY, ...extra);
      expect({ extra, code }).toEqual({ extra, code: 2 });
      expect(err).toMatch(message);
    }
    expect((await cli('neighbors', ...TINY.slice(0, 5), '--k', '0')).code).toBe(2);
  });

  it('trains a tiny run, prints the split table and saves a result that eval can reuse', async () => {
    const save = path.join(tmp, 'run.json');
    const run = await cli(
      'train',
      ...TINY,
      '--seed',
      '4',
      '--training:n-neighbors',
      '3',
      '--training:train-epochs',
      '4',
      '--training:min-epochs',
      '2',
      '--training:sampler-builder:sampler-args',
      '',
      'r=0.5',
      '--save-file',
      save,
      '--ckpt-dir',
      path.join(tmp, 'ckpt'),
    );
    expect(run.code).toBe(0);
    expect(run.out).toContain('backend: wasm');
    expect(run.out).toContain('seed: 4');
    expect(run.out).toMatch(/epoch 4\/4: loss \d/);
    expect(run.out).toMatch(/Baseline\s+21\.5\s+69\.6\s+87\.5\s+58\.3/);
    const result = JSON.parse(fs.readFileSync(save, 'utf8')) as RunResult;
    expect(result.seed).toBe(4);
    expect(result.config.training.sampler_args).toEqual([{}, { r: '0.5' }]);
    expect(result.epochs).toHaveLength(4);
    expect(fs.readdirSync(path.join(tmp, 'ckpt'))).toHaveLength(2);
    const evalOut = await cli('eval', ...TINY, '--weights', save, '--datagrps', 'test');
    expect(evalOut.code).toBe(0);
    const pct = (x: number) => (100 * x).toFixed(1);
    expect(evalOut.out).toContain(
      `${pct(result.test.per_split.few).padStart(8)}${pct(result.test.per_split.medium).padStart(8)}`,
    );
    // The original's result file: its kept network gives its published test accuracies (16.5 / 68.8 / 87.5 / 56.3).
    const original = await cli(
      'eval',
      ...TINY,
      '--weights',
      path.join(ROOT, 'test', 'fixtures', 'tinylt', 'result.pth'),
      '--datagrps',
      'test',
    );
    expect(original.code).toBe(0);
    expect(original.out).toMatch(/test\s+16\.5\s+68\.8\s+87\.5\s+56\.3/);
    const notNet = await cli('eval', ...TINY, '--weights', CONFIG);
    expect(notNet.code).toBe(1);
    expect(notNet.err).toMatch(/datasets\.toml/);
  });

  it('--exact-reference trains the straightforward way to the same result', async () => {
    const common = [
      'train',
      ...TINY,
      '--seed',
      '5',
      '--training:n-neighbors',
      '3',
      '--training:train-epochs',
      '3',
      '--training:min-epochs',
      '1',
    ];
    const results: RunResult[] = [];
    for (const extra of [[], ['--exact-reference']]) {
      const save = path.join(tmp, `exact-${extra.length}.json`);
      expect((await cli(...common, ...extra, '--save-file', save)).code).toBe(0);
      results.push(JSON.parse(fs.readFileSync(save, 'utf8')) as RunResult);
    }
    expect(results[1].test).toEqual(results[0].test);
    expect(results[1].epochs.map((e) => e.val)).toEqual(results[0].epochs.map((e) => e.val));
    expect((await cli('train', '--help')).out).toContain('--exact-reference');
    // Both runs wrote epoch checkpoints into their own folders (no --ckpt-dir); finished, they are gone.
    const own = path.join(tmp, 'checkpoints');
    const left = fs.existsSync(own)
      ? (fs.readdirSync(own, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(own, f)).isFile())
      : [];
    expect(left).toEqual([]);
  });

  it('accepts every flag of the original: dummy mode is the baseline, debug checks itself, any listed optimiser and activation', async () => {
    const dummy = await cli('train', ...TINY, '--alphanet:dummy-mode', '--save-file', path.join(tmp, 'dummy.json'));
    expect(dummy.code).toBe(0);
    expect(dummy.out).toMatch(/test\s+21\.5\s+69\.6\s+87\.5\s+58\.3/);
    const saved = JSON.parse(fs.readFileSync(path.join(tmp, 'dummy.json'), 'utf8')) as RunResult;
    expect(saved.kind).toBe('baseline');
    expect(Object.keys(saved.evals ?? {}).sort()).toEqual(['test', 'val']);
    const short = [
      '--seed',
      '2',
      '--training:n-neighbors',
      '3',
      '--training:train-epochs',
      '2',
      '--training:min-epochs',
      '1',
    ];
    const debug = await cli('train', ...TINY, ...short, '--alphanet:debug', '--alphanet:hact', 'gelu');
    expect(debug.code).toBe(0);
    for (const optim of ['RAdam', 'Adadelta', 'Rprop']) {
      const run = await cli(
        'train',
        ...TINY,
        ...short,
        '--training:ptopt:optim-cls',
        optim,
        '--training:ptopt:optim-params',
        'lr=0.01',
        '--alphanet:hact',
        'mish',
      );
      expect({ optim, code: run.code, err: run.err }).toEqual({ optim, code: 0, err: '' });
    }
    const help = (await cli('train', '--help')).out;
    expect(help).toContain('--alphanet:dummy-mode');
    expect(help).toContain(
      'Adagrad(lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=false)',
    );
  });

  it("runs the original README's command lines unchanged, from a checkout laid out like the original's", async () => {
    // The original reads config/datasets.toml from the working directory and resolves its paths there.
    const checkout = path.join(tmp, 'checkout');
    copyTinylt(path.join(checkout, 'data', 'tinylt'));
    const toml = fs.readFileSync(CONFIG, 'utf8').replace(/^(\w+_(?:dir|file)) = "([^"]+)"/gm, '$1 = "data/tinylt/$2"');
    fs.mkdirSync(path.join(checkout, 'config'));
    fs.writeFileSync(path.join(checkout, 'config', 'datasets.toml'), toml);
    const db = ['--db', path.join(tmp, 'readme.sqlite'), '--backend', 'wasm'];
    const train = await cliIn(checkout, [
      'train',
      '--dataset',
      'tinylt_synth',
      '--save-file',
      'results/tinylt_synth/rho_0.25/run_1/result.pkl',
      '--ckpt-dir',
      'results/tinylt_synth/rho_0.25/run_1/ckpts',
      '--training:tb-logs',
      'results/tinylt_synth/rho_0.25/run_1/tb',
      '--training:sampler-builder:sampler-args',
      '',
      'r=0.25',
      ...db,
      '--seed',
      '3',
    ]);
    expect({ code: train.code, err: train.err }).toMatchObject({ code: 0 });
    expect(train.out).toMatch(/epoch 25\/25/);
    const baseline = await cliIn(checkout, ['baseline', '--dataset', 'tinylt_synth', ...db]);
    expect(baseline.code).toBe(0);
    expect(baseline.out).toMatch(/test\s+21\.5\s+69\.6\s+87\.5\s+58\.3/);
    const printres = await cliIn(checkout, [
      'results',
      '--base-res-dir',
      'results/tinylt_synth',
      '--rel-exp-paths',
      'rho_0.25',
      '--exp-names',
      '0.25',
      '--res-files-pattern',
      'run_*/result.pkl',
      '--exp-prefix',
      'AlphaNet (r=',
      '--exp-suffix',
      ')',
    ]);
    expect(printres.code).toBe(0);
    expect(printres.out).toMatch(/^AlphaNet \(r=0\.25\),/m);
    const combos = await cliIn(checkout, [
      'combos',
      '--base-res-dir',
      'results/tinylt_synth/rho_0.25',
      '--res-files-pattern',
      'run_1/result.pkl',
      '--select-n',
      '1',
      '--mistake-n',
      '3',
    ]);
    expect(combos.code).toBe(0);
    expect(combos.out).toContain('Top AlphaNet misclassifications');
  });

  it('keeps pretrained scores in --cache-dir, and none on disk with --no-cache', async () => {
    const cacheDir = path.join(tmp, 'engine-cache');
    const args = [
      '--dataset',
      'tinylt_synth',
      '--config',
      CONFIG,
      '--backend',
      'wasm',
      '--seed',
      '1',
      '--training:train-epochs',
      '1',
      '--training:min-epochs',
      '1',
      '--training:n-neighbors',
      '3',
    ];
    expect((await cli('train', ...args, '--cache-dir', cacheDir)).code).toBe(0);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['features', 'nns', 'scores']);
    const appScores = path.join(tmp, 'cache', 'scores');
    fs.rmSync(appScores, { recursive: true, force: true });
    expect((await cli('baseline', ...TINY)).code).toBe(0);
    expect(fs.existsSync(appScores)).toBe(false);
  });

  it('prints neighbours as JSON and the baseline of every datagrp', async () => {
    const nn = await cli('neighbors', ...TINY.slice(0, 5), '--k', '3', '--json');
    expect(nn.code).toBe(0);
    expect(JSON.parse(nn.out)['1']).toEqual([23, 26, 11]);
    const base = await cli('baseline', ...TINY);
    expect(base.code).toBe(0);
    expect(base.out).toMatch(/test\s+21\.5\s+69\.6\s+87\.5\s+58\.3/);
  });

  it('records runs in the database and writes TensorBoard event files of the same tags', async () => {
    const db = path.join(tmp, 'runs.sqlite');
    const tb = path.join(tmp, 'tb');
    const run = await cli(
      'train',
      ...TINY,
      '--db',
      db,
      '--experiment',
      'tiny',
      '--seed',
      '2',
      '--training:n-neighbors',
      '3',
      '--training:train-epochs',
      '3',
      '--training:min-epochs',
      '1',
      '--training:tb-logs',
      tb,
    );
    expect(run.code).toBe(0);
    expect((await cli('baseline', ...TINY, '--db', db)).code).toBe(0);
    const listed = await cli('runs', '--db', db, '--json');
    const runs = JSON.parse(listed.out) as { experiment: string; status: string; kind: string; epochs_done: number }[];
    expect(runs.map((r) => [r.kind, r.status])).toEqual(
      expect.arrayContaining([
        ['train', 'done'],
        ['baseline', 'done'],
      ]),
    );
    expect(runs.find((r) => r.kind === 'train')).toMatchObject({ experiment: 'tiny', epochs_done: 3 });

    const files = fs.readdirSync(tb);
    expect(files).toHaveLength(1);
    const series = scalarSeries(readEventFile(path.join(tb, files[0])));
    expect(series.get('epoch_loss')?.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(series.get('validation/per_split_acc/few')).toHaveLength(3);
    const batchSteps = series.get('batch_loss')?.map((p) => p.step) ?? [];
    expect(batchSteps[0]).toBe(1);
    expect(batchSteps).toEqual(batchSteps.map((_, i) => i + 1));
    expect(series.get('test/accuracy')).toHaveLength(1);
  });
});
