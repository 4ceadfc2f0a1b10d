import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src-shared/config.ts';
import { Rng } from '../../src-shared/rng.ts';
import { initBackend } from './backend.ts';
import { evaluateLogits, evaluateScores } from './evaluate.ts';
import { AlphaTrainer, buildProblem, exactLogits, fastLogits, initNetwork, type NetworkSpec } from './model.ts';
import { rawScores } from './score-pool.ts';
import { computeNeighbors } from './neighbors.ts';
import { makeSyntheticDataset } from './synthetic.ts';

const ds = makeSyntheticDataset({ nClasses: 12, dim: 8, maxPerClass: 150, minPerClass: 4, valPerClass: 5, testPerClass: 10, seed: 5 });

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

describe('AlphaNet model on wasm', () => {
  it('has hand-written gradients that match finite differences for every activation', () => {
    const test = ds.datagrps.test;
    const scores = rawScores(test.feats, test.n, ds.dim, ds.classifier.weight, ds.nClasses);
    const B = 16;
    const batch = { scores: scores.subarray(0, B * ds.nClasses), labels: test.labels.subarray(0, B) };
    for (const act of ACTIVATIONS) {
      const { params, trainer } = setup(act, 3);
      const { grads } = trainer.step(params, batch);
      for (const [pi, ei] of [[0, 0], [0, 7], [1, 2], [2, 3], [4, 1], [5, 0]]) {
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
