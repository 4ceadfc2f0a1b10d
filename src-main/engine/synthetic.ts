/**
 * A seeded synthetic long-tailed dataset in memory (Gaussian class clusters, a prior-biased linear
 * classifier), for tests and benchmarks of the engine at any size.
 */
import type { Datagrp, LoadedDataset, SplitName } from '../../src-shared/dataset.ts';
import { Rng } from '../../src-shared/rng.ts';

export interface SyntheticOptions {
  nClasses: number;
  dim: number;
  /** Training images of the largest class; class c gets max·(min/max)^(c/(C−1)), rounded. */
  maxPerClass: number;
  minPerClass: number;
  valPerClass: number;
  testPerClass: number;
  seed: number;
  /** Noise standard deviation around the unit-scale class centres. */
  noise?: number;
}

function gaussian(rng: Rng): number {
  // Box–Muller; 1 − u keeps the log finite.
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function splitFor(count: number): SplitName {
  return count < 20 ? 'few' : count <= 100 ? 'medium' : 'many';
}

export function makeSyntheticDataset(opts: SyntheticOptions): LoadedDataset {
  const { nClasses: C, dim: d } = opts;
  const noise = opts.noise ?? 1;
  const rng = Rng.fromSeed(opts.seed, 'synthetic');
  const centres = new Float32Array(C * d);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(rng) * 0.6;
  const trainCounts = Array.from({ length: C }, (_, c) =>
    Math.max(1, Math.round(opts.maxPerClass * (opts.minPerClass / opts.maxPerClass) ** (c / Math.max(1, C - 1)))),
  );
  const makeGroup = (counts: number[]): Datagrp => {
    const labels: number[] = [];
    counts.forEach((n, c) => {
      for (let i = 0; i < n; i++) labels.push(c);
    });
    rng.shuffle(labels);
    const feats = new Float32Array(labels.length * d);
    labels.forEach((c, i) => {
      for (let j = 0; j < d; j++) feats[i * d + j] = centres[c * d + j] + gaussian(rng) * noise;
    });
    return { feats, labels: Int32Array.from(labels), n: labels.length, files: [] };
  };
  const train = makeGroup(trainCounts);
  const val = makeGroup(Array(C).fill(opts.valPerClass));
  const test = makeGroup(Array(C).fill(opts.testPerClass));
  const splitOf = trainCounts.map(splitFor);
  const splits: Record<SplitName, number[]> = { many: [], medium: [], few: [] };
  splitOf.forEach((s, c) => splits[s].push(c));
  // A classifier biased towards frequent classes, as one trained on the imbalanced set would be.
  const weight = new Float32Array(C * d);
  const bias = new Float32Array(C);
  const total = trainCounts.reduce((a, b) => a + b, 0);
  for (let c = 0; c < C; c++) {
    let sq = 0;
    for (let j = 0; j < d; j++) {
      weight[c * d + j] = centres[c * d + j] * (0.5 + 0.5 * Math.min(1, trainCounts[c] / 50));
      sq += centres[c * d + j] ** 2;
    }
    bias[c] = -0.5 * sq * 0.5 + Math.log(trainCounts[c] / total);
  }
  return {
    spec: {
      key: `synthetic_${opts.seed}`,
      properName: 'Synthetic',
      splitFilesDir: '',
      featureFilesDir: '',
      classifierFile: '',
      classifierLoader: 'LinearClassifierLoader',
      nnFilesDir: '',
      baselineEvalFile: '',
      labelNamesFile: null,
      datagrps: ['train', 'val', 'test'],
      configFile: null,
    },
    nClasses: C,
    dim: d,
    datagrps: { train, val, test },
    splits,
    splitOf,
    classifier: { weight, bias },
    classifierInfo: { loader: 'LinearClassifierLoader', hasBias: true, nExperts: 1, files: [] },
    labelNames: null,
    wnids: null,
    fingerprint: `synthetic-${C}-${d}-${opts.maxPerClass}-${opts.minPerClass}-${opts.seed}`,
    contentFingerprint: `synthetic-${C}-${d}-${opts.maxPerClass}-${opts.minPerClass}-${opts.seed}`,
    warnings: [],
  };
}
