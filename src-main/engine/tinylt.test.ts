/**
 * Acceptance against the reference values the original code produced on test/fixtures/tinylt
 * (expected.json), on the wasm backend.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig, type NNDist } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { EvalResult, RunResult } from '../../src-shared/result.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { readPythonFile } from '../formats/read.ts';
import { initBackend } from './backend.ts';
import { evaluateLogits } from './evaluate.ts';
import { exactLogits } from './model.ts';
import { computeNeighbors } from './neighbors.ts';
import {
  evaluateNetwork,
  networkAlphas,
  networkFromOriginalResult,
  networkFromStateDict,
  problemFor,
  type StateTensor,
} from './network.ts';
import { baselineRun, trainRun } from './run.ts';

const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt');
interface ExpectedEval {
  metrics: { accuracy: number; 'top-5 accuracy': number; f1: number };
  acc_per_split: Record<string, number>;
  acc_per_class: Record<string, number>;
}
type Nested = number | Nested[];
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as {
  baseline: Record<'val' | 'test', ExpectedEval>;
  baseline_ride: Record<'val' | 'test', ExpectedEval>;
  nns: Record<string, Record<string, number[]>>;
  train_run: {
    fclass_order: number[];
    nn_classes_used: Record<string, number[]>;
    alphas_per_few_class: Record<string, number[]>;
    state_dict: Record<string, Nested>;
    state_dict_shapes: Record<string, number[]>;
    test_metrics: ExpectedEval['metrics'];
    test_acc_per_split: Record<string, number>;
    test_acc_per_class: Record<string, number>;
  };
};

async function load(key: string): Promise<LoadedDataset> {
  return loadDataset(resolveDataset(key, path.join(FIXTURE, 'datasets.toml')), { cacheDir: null });
}

function expectSameEval(got: EvalResult, want: ExpectedEval): void {
  expect(got.accuracy).toBe(want.metrics.accuracy);
  expect(got.top5).toBe(want.metrics['top-5 accuracy']);
  expect(got.f1).toBeCloseTo(want.metrics.f1, 12);
  for (const split of ['many', 'medium', 'few'] as const) expect(got.per_split[split]).toBe(want.acc_per_split[split]);
  got.per_class.forEach((acc, c) => expect(acc).toBe(want.acc_per_class[String(c)]));
}

let synth: LoadedDataset;
beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  synth = await load('tinylt_synth');
});

describe('tinylt: baseline', () => {
  it('reproduces the original baseline on val and test exactly (linear classifier)', async () => {
    const { result } = await baselineRun(synth, { backend: 'wasm' });
    expectSameEval(result.evals?.val as EvalResult, expected.baseline.val);
    expectSameEval(result.evals?.test as EvalResult, expected.baseline.test);
  });

  it('reproduces the original baseline of the combined (RIDE) classifier', async () => {
    const ride = await load('tinylt_synth_ride');
    const { result } = await baselineRun(ride, { backend: 'wasm' });
    expectSameEval(result.evals?.val as EvalResult, expected.baseline_ride.val);
    expectSameEval(result.evals?.test as EvalResult, expected.baseline_ride.test);
  });
});

describe('tinylt: neighbours', () => {
  for (const name of ['euclidean_3', 'cosine_3', 'euclidean_5']) {
    it(`equal the original's ${name}`, () => {
      const [dist, k] = name.split('_');
      const table = computeNeighbors(synth, Number(k), dist as NNDist, null);
      expect(Object.fromEntries(table.few.map((c, i) => [String(c), table.neighbors[i]]))).toEqual(expected.nns[name]);
    });
  }
});

function flatten(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

describe('tinylt: the original trained network', () => {
  const run = expected.train_run;
  const network = () => {
    const state: Record<string, StateTensor> = {};
    for (const [key, value] of Object.entries(run.state_dict))
      state[key] = { shape: run.state_dict_shapes[key], data: flatten(value) };
    const few = [...run.fclass_order].sort((a, b) => a - b);
    return networkFromStateDict(state, {
      few,
      neighbors: few.map((c) => run.nn_classes_used[String(c)]),
      nnDist: 'euclidean',
      hact: 'leaky_relu',
    });
  };

  it('reproduces its alphas and its test accuracies exactly, on the fast and the exact path', async () => {
    const net = network();
    const { evals, alphas, evaluations } = await evaluateNetwork(synth, net, { datagrps: ['test'], backend: 'wasm' });
    for (const [c, want] of Object.entries(run.alphas_per_few_class)) {
      expect(alphas[c].neighbors).toEqual(run.nn_classes_used[c]);
      alphas[c].alpha.forEach((a, i) => expect(Math.abs(a - want[i])).toBeLessThan(1e-5));
    }
    expectSameEval(evals.test, {
      metrics: run.test_metrics,
      acc_per_split: run.test_acc_per_split,
      acc_per_class: run.test_acc_per_class,
    });
    const problem = problemFor(synth, net);
    const test = synth.datagrps.test;
    const exact = evaluateLogits(
      await exactLogits(problem, networkAlphas(problem, net), test.feats, test.n, 1),
      test.labels,
      synth.nClasses,
      synth.splitOf,
    );
    expect(exact.result).toEqual(evals.test);
    expect(exact.top).toEqual(evaluations.test.top);
  });

  it('reads the same network from the original result file (result.pth)', async () => {
    const file = path.join(FIXTURE, 'result.pth');
    const fromFile = networkFromOriginalResult(await readPythonFile(file, { placeholders: 'result-file' }), file);
    const fromJson = network();
    expect(fromFile.few).toEqual(fromJson.few);
    expect(fromFile.neighbors).toEqual(fromJson.neighbors);
    expect(fromFile.hdims).toEqual([32, 32, 32]);
    fromFile.params.forEach((p, i) => expect(Float32Array.from(p)).toEqual(Float32Array.from(fromJson.params[i])));
  });
});

describe('tinylt: training', () => {
  const config = () => {
    const c = defaultRunConfig('tinylt_synth');
    c.training.n_neighbors = 3;
    c.training.train_epochs = 10;
    c.training.min_epochs = 2;
    c.training.sampler_args = [{}, { r: '0.5' }];
    return c;
  };
  const strip = (r: RunResult) => ({ ...r, epochs: r.epochs.map((e) => ({ ...e, wall_time: 0 })) });

  it('is bit-identical when repeated and raises few-split test accuracy over the baseline', async () => {
    const a = await trainRun(synth, config(), { seed: 0, backend: 'wasm', cacheRoot: null });
    const b = await trainRun(synth, config(), { seed: 0, backend: 'wasm', cacheRoot: null });
    expect(strip(b.result)).toEqual(strip(a.result));
    expect(a.result.test.per_split.few).toBeGreaterThan(expected.baseline.test.acc_per_split.few);
    expect(a.result.best_epoch).toBeGreaterThanOrEqual(2);
  });

  it('stopped after epoch 3 and resumed, ends identical to an uninterrupted run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-tinylt-ckpt-'));
    try {
      const whole = await trainRun(synth, config(), { seed: 1, backend: 'wasm', cacheRoot: null });
      const stop = new AbortController();
      await expect(
        trainRun(synth, config(), {
          seed: 1,
          backend: 'wasm',
          cacheRoot: null,
          ckptDir: dir,
          signal: stop.signal,
          onEpoch: (r) => void (r.epoch === 3 && stop.abort()),
        }),
      ).rejects.toThrow(/cancelled/);
      const resumed = await trainRun(synth, config(), { seed: 1, backend: 'wasm', cacheRoot: null, ckptDir: dir });
      expect(strip(resumed.result)).toEqual(strip(whole.result));
      expect(resumed.testTop5).toEqual(whole.testTop5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
