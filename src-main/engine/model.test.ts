import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src-shared/config.ts';
import { Rng } from '../../src-shared/rng.ts';
import { initBackend } from './backend.ts';
import { evaluateLogits, evaluateScores } from './evaluate.ts';
import { AlphaTrainer, buildProblem, exactLogits, fastLogits, initNetwork, type NetworkSpec } from './model.ts';
import { rawScores } from './score-pool.ts';
import { computeNeighbors } from './neighbors.ts';
import { makeSyntheticDataset } from './synthetic.ts';

const ds = makeSyntheticDataset({
  nClasses: 12,
  dim: 8,
  maxPerClass: 150,
  minPerClass: 4,
  valPerClass: 5,
  testPerClass: 10,
  seed: 5,
});

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

function setup(act: NetworkSpec['act'] = 'leaky_relu', predScale = 1) {
  const table = computeNeighbors(ds, 3, 'euclidean', null);
  const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
  const spec: NetworkSpec = { inDim: 4 * ds.dim, hdims: [6, 5], outDim: 3, act };
  const params = initNetwork(spec, Rng.fromSeed(1, 'init'));
  return { problem, spec, params, trainer: new AlphaTrainer(problem, spec, predScale) };
}

describe('initialisation', () => {
  it("is PyTorch's Conv2d/Linear default: weights and biases U(±1/√fan_in), fan_in = (k+1)·d for the first layer", () => {
    const spec: NetworkSpec = { inDim: 6 * 32, hdims: [32, 32, 32], outDim: 5, act: 'leaky_relu' };
    const params = initNetwork(spec, Rng.fromSeed(1, 'init'));
    const fanIns = [192, 32, 32, 32];
    expect(params.map((p) => p.length)).toEqual([32 * 192, 32, 32 * 32, 32, 32 * 32, 32, 5 * 32, 5]);
    params.forEach((p, i) => {
      // kaiming_uniform(a = √5): gain √(2/(1+5)), bound = √3·gain/√fan_in = 1/√fan_in; the bias bound is the same.
      const bound = 1 / Math.sqrt(fanIns[Math.floor(i / 2)]);
      expect(Math.max(...p.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (p.length >= 1000) {
        const mean = p.reduce((a, x) => a + x, 0) / p.length;
        const variance = p.reduce((a, x) => a + (x - mean) ** 2, 0) / p.length;
        expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
        expect(variance / ((bound * bound) / 3)).toBeGreaterThan(0.93);
        expect(variance / ((bound * bound) / 3)).toBeLessThan(1.07);
        expect(Math.max(...p.map(Math.abs))).toBeGreaterThan(0.99 * bound);
      }
    });
  });
});

describe('AlphaNet model on wasm', () => {
  it("keeps each train row's base log-sum-exp without changing a bit of the loss or the gradients", () => {
    const test = ds.datagrps.test;
    const scores = rawScores(test.feats, test.n, ds.dim, ds.classifier.weight, ds.nClasses);
    const B = 16;
    const rows = Array.from({ length: B }, (_, i) => 3 * i + 1);
    const batch = {
      scores: Float32Array.from(rows.flatMap((r) => [...scores.subarray(r * ds.nClasses, (r + 1) * ds.nClasses)])),
      labels: Int32Array.from(rows, (r) => test.labels[r]),
    };
    const { params, trainer } = setup('relu', 2);
    try {
      const plain = trainer.step(params, batch);
      const first = trainer.step(params, { ...batch, rows });
      const again = trainer.step(params, { ...batch, rows });
      for (const run of [first, again]) {
        expect(run.loss).toBe(plain.loss);
        expect(run.grads).toEqual(plain.grads);
      }
    } finally {
      trainer.dispose();
    }
  });

  it('has hand-written gradients that match finite differences for every activation', () => {
    const test = ds.datagrps.test;
    const scores = rawScores(test.feats, test.n, ds.dim, ds.classifier.weight, ds.nClasses);
    const B = 16;
    const batch = { scores: scores.subarray(0, B * ds.nClasses), labels: test.labels.subarray(0, B) };
    for (const act of ACTIVATIONS) {
      const { params, trainer } = setup(act, 3);
      const { grads } = trainer.step(params, batch);
      for (const [pi, ei] of [
        [0, 0],
        [0, 7],
        [1, 2],
        [2, 3],
        [4, 1],
        [5, 0],
      ]) {
        const eps = 1e-2;
        const plus = params.map((p) => Float32Array.from(p));
        const minus = params.map((p) => Float32Array.from(p));
        plus[pi][ei] += eps;
        minus[pi][ei] -= eps;
        const numeric = (trainer.step(plus, batch).loss - trainer.step(minus, batch).loss) / (2 * eps);
        expect(Math.abs(numeric - grads[pi][ei])).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
      }
      trainer.dispose();
    }
  });

  it('gives the same logits and accuracies on the fast path as X·Ŵᵀ + b', async () => {
    const { params, trainer, problem } = setup('tanh', 2);
    const tilde = trainer.alphas(params);
    trainer.dispose();
    const test = ds.datagrps.test;
    const scores = rawScores(test.feats, test.n, ds.dim, ds.classifier.weight, ds.nClasses);
    const fast = evaluateScores(problem, tilde, scores, test.labels, ds.splitOf, 2);
    const exact = await exactLogits(problem, tilde, test.feats, test.n, 2);
    const ref = evaluateLogits(exact, test.labels, ds.nClasses, ds.splitOf);
    expect(fast.result).toEqual(ref.result);
    expect(fast.top).toEqual(ref.top);
    let worst = 0;
    const logits = new Float64Array(ds.nClasses);
    for (let i = 0; i < test.n; i++) {
      fastLogits(problem, tilde, scores, i, 2, logits);
      for (let c = 0; c < ds.nClasses; c++) {
        const e = exact[i * ds.nClasses + c];
        worst = Math.max(worst, Math.abs(logits[c] - e) / Math.max(1, Math.abs(e)));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });
});
