import { describe, expect, it } from 'vitest';
import type { SplitName } from '../../src-shared/dataset.ts';
import { Rng } from '../../src-shared/rng.ts';
import { evaluateLogits, evaluateScores, neighborBounds } from './evaluate.ts';
import { fastLogits, type AlphaProblem } from './model.ts';

/** Small integer scores and dyadic alphas: logits are exact, so ties are frequent and must rank alike. */
function tiedProblem(seed: number, C: number, F: number, k: number, n: number) {
  const rng = Rng.fromSeed(seed);
  const few = rng
    .shuffle(Array.from({ length: C }, (_, c) => c))
    .slice(0, F)
    .sort((a, b) => a - b);
  const base = Array.from({ length: C }, (_, c) => c).filter((c) => !few.includes(c));
  const problem: AlphaProblem = {
    nClasses: C,
    dim: 1,
    k,
    few,
    neighbors: few.map(() => rng.shuffle([...base]).slice(0, k)),
    weight: new Float32Array(C),
    bias: Float32Array.from({ length: C }, () => rng.nextInt(3) - 1),
    sources: new Float32Array(0),
  };
  const scores = Float32Array.from({ length: n * C }, () => rng.nextInt(5));
  const tilde = Float32Array.from({ length: F * k }, () => (rng.nextInt(5) - 2) / 4);
  const labels = Int32Array.from({ length: n }, () => rng.nextInt(C));
  const splitOf: SplitName[] = Array.from({ length: C }, (_, c) =>
    few.includes(c) ? 'few' : c % 2 ? 'many' : 'medium',
  );
  return { problem, scores, tilde, labels, splitOf };
}

describe('evaluateScores (base top-5 once, few logits merged in)', () => {
  it('ranks exactly as all C logits of fastLogits do, ties included, for alphas, the dummy mode and pred scales', () => {
    for (const [seed, C, F, k] of [
      [1, 12, 4, 3],
      [2, 30, 9, 5],
      [3, 7, 3, 2],
      [4, 6, 4, 1],
    ]) {
      const { problem, scores, tilde, labels, splitOf } = tiedProblem(seed, C, F, k, 400);
      for (const t of [tilde, null]) {
        for (const scale of [1, 3, -1]) {
          const logits = new Float32Array(labels.length * C);
          const row = new Float64Array(C);
          for (let i = 0; i < labels.length; i++) {
            fastLogits(problem, t, scores, i, scale, row);
            logits.set(row, i * C);
          }
          const want = evaluateLogits(logits, labels, C, splitOf);
          const got = evaluateScores(problem, t, scores, labels, splitOf, scale);
          expect(got.top).toEqual(want.top);
          expect(got.result).toEqual(want.result);
          // Skipping the few logits that cannot reach a sample's top 5 ranks the same.
          const bounded = evaluateScores(
            problem,
            t,
            scores,
            labels,
            splitOf,
            scale,
            neighborBounds(problem, scores, labels.length),
          );
          expect(bounded.top).toEqual(want.top);
        }
      }
    }
  });
});
