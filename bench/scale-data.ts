/**
 * An ImageNet-LT-shaped dataset for bench/scale.ts, in the original's on-disk layout: 1,000 classes,
 * d = 2048, 115,846 / 20,000 / 50,000 train / val / test samples, 385 / 479 / 136 many / medium / few
 * classes with long-tailed train sizes from 1,280 down to 5 (val 20 and test 50 per class).
 *
 * Features: Gaussian clusters x = μ_c + N(0, I): 100 groups of 10 classes, group centres apart by
 * ~8 noise standard deviations and classes within a group by ~2.6, so nearest neighbours are
 * meaningful. Classifier: not trained by gradient descent but the closed-form generative (LDA) one for
 * the shared isotropic covariance and the training prior, w_c = μ_c, b_c = −|μ_c|²/2 + log(n_c / N):
 * Bayes-optimal under the training distribution, so it favours many classes the way a plain-CE
 * classifier does (measured on a d = 128 twin: few ≈ 19 %, medium ≈ 43 %, many ≈ 70 %).
 * Generated once (about a minute, 1.5 GB) and kept in bench/.data/ (gitignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SPLITS, type SplitName } from '../src-shared/dataset.ts';
import { Rng } from '../src-shared/rng.ts';
import type { TensorData } from '../src-shared/tensor.ts';
import { PyDict, type PyValue } from '../src-main/formats/pyvalue.ts';
import { writePlainPickleWithTensors, writeTorchZip } from '../src-main/formats/write.ts';

export const SCALE_KEY = 'imagenet_lt_shaped';
export const SCALE_PARAMS = {
  seed: 8,
  nClasses: 1000,
  dim: 2048,
  nTrain: 115_846,
  valPerClass: 20,
  testPerClass: 50,
  splitCounts: { many: 385, medium: 479, few: 136 } as Record<SplitName, number>,
  maxTrain: 1280,
  minTrain: 5,
  groups: 100,
  /** Distances between class means, in noise standard deviations. */
  withinGroup: 2.6,
  betweenGroups: 8,
};

/** The split a train size puts a class in (ImageNet-LT's rule). */
function splitOfSize(n: number): SplitName {
  return n < 20 ? 'few' : n <= 100 ? 'medium' : 'many';
}

/**
 * Train sizes, descending, with exactly the asked split counts and total: within each split's band a
 * curve top·(bottom/top)^(t^q) over t ∈ [0, 1] (q = 1: geometric; q < 1 falls faster, like a Pareto
 * head), q chosen for the many band so the total comes out; the rounding residue is spread by ±1.
 */
export function scaleSizes(p = SCALE_PARAMS): number[] {
  const band = (top: number, bottom: number, count: number, q: number) =>
    Array.from({ length: count }, (_, i) =>
      Math.round(top * Math.pow(bottom / top, Math.pow(count === 1 ? 0 : i / (count - 1), q))),
    );
  const medium = band(100, 20, p.splitCounts.medium, 1);
  const few = band(19, p.minTrain, p.splitCounts.few, 1);
  const manyTotal = p.nTrain - medium.reduce((a, b) => a + b, 0) - few.reduce((a, b) => a + b, 0);
  let lo = 0.01;
  let hi = 4;
  let many = band(p.maxTrain, 101, p.splitCounts.many, 1);
  for (let it = 0; it < 60; it++) {
    const q = (lo + hi) / 2;
    many = band(p.maxTrain, 101, p.splitCounts.many, q);
    const sum = many.reduce((a, b) => a + b, 0);
    if (sum > manyTotal) hi = q;
    else lo = q;
  }
  let residue = manyTotal - many.reduce((a, b) => a + b, 0);
  for (let i = 1; residue !== 0; i = (i % (many.length - 1)) + 1) {
    const step = Math.sign(residue);
    const v = many[i] + step;
    if (v > 100 && v < p.maxTrain) {
      many[i] = v;
      residue -= step;
    }
  }
  return [...many, ...medium, ...few];
}

/** Standard normal floats into `out` (Box–Muller on the seeded Rng), added to `mean`. */
function fillGaussian(rng: Rng, out: Float32Array, offset: number, mean: Float32Array): void {
  const d = mean.length;
  for (let j = 0; j < d; j += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
    const t = 2 * Math.PI * rng.nextFloat();
    out[offset + j] = mean[j] + r * Math.cos(t);
    if (j + 1 < d) out[offset + j + 1] = mean[j + 1] + r * Math.sin(t);
  }
}

function featureFile(file: string, labels: Int32Array, means: Float32Array[], rng: Rng, dim: number): Promise<void> {
  const n = labels.length;
  const feats = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) fillGaussian(rng, feats, i * dim, means[labels[i]]);
  const dict = new PyDict();
  const tensor: TensorData<'float32'> = { dtype: 'float32', shape: [n, dim], data: feats };
  const idxs: TensorData<'int64'> = {
    dtype: 'int64',
    shape: [n],
    data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
  };
  dict.entries.set('feats', tensor);
  dict.entries.set('labels', Array.from(labels) as PyValue[]);
  dict.entries.set('idxs', idxs);
  return writePlainPickleWithTensors(file, dict);
}

function shuffledLabels(perClass: readonly number[], rng: Rng): Int32Array {
  const labels = perClass.flatMap((count, c) => Array.from({ length: count }, () => c));
  return Int32Array.from(rng.shuffle(labels));
}

export interface ScaleDataset {
  toml: string;
  key: string;
  /** Seconds spent generating in this call (null: reused from an earlier run). */
  generatedIn: number | null;
  featureBytes: number;
}

/** The dataset under `dir`, generated unless a complete copy with the same parameters is there. */
export async function ensureScaleDataset(dir: string, log: (line: string) => void = () => {}): Promise<ScaleDataset> {
  const p = SCALE_PARAMS;
  const nEval = p.nClasses * (p.valPerClass + p.testPerClass);
  const featureBytes = (p.nTrain + nEval) * p.dim * 4;
  const infoFile = path.join(dir, 'gen_info.json');
  const toml = path.join(dir, 'datasets.toml');
  try {
    const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { params?: unknown };
    if (JSON.stringify(info.params) === JSON.stringify(p))
      return { toml, key: SCALE_KEY, generatedIn: null, featureBytes };
  } catch {
    // Absent or unreadable: generate.
  }
  const started = performance.now();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of ['splits', 'features']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const rng = Rng.fromSeed(p.seed, 'scale-dataset');
  const sizes = rng.shuffle(scaleSizes(p));
  const a = p.betweenGroups / Math.sqrt(2 * p.dim);
  const b = p.withinGroup / Math.sqrt(2 * p.dim);
  const zero = new Float32Array(p.dim);
  const centres = Array.from({ length: p.groups }, () => {
    const v = new Float32Array(p.dim);
    fillGaussian(rng, v, 0, zero);
    return v.map((x) => a * x);
  });
  const means = Array.from({ length: p.nClasses }, (_, c) => {
    const v = new Float32Array(p.dim);
    fillGaussian(rng, v, 0, zero);
    const centre = centres[c % p.groups];
    return v.map((x, j) => centre[j] + b * x);
  });

  const splits: Record<SplitName, number[]> = { many: [], medium: [], few: [] };
  sizes.forEach((n, c) => splits[splitOfSize(n)].push(c));
  for (const s of SPLITS) fs.writeFileSync(path.join(dir, 'splits', `${s}.txt`), `${splits[s].join('\n')}\n`);

  // The generative classifier for unit noise: w_c = μ_c, b_c = −|μ_c|²/2 + log prior_c.
  const weight = new Float32Array(p.nClasses * p.dim);
  const bias = new Float32Array(p.nClasses);
  means.forEach((m, c) => {
    weight.set(m, c * p.dim);
    let sq = 0;
    for (const x of m) sq += x * x;
    bias[c] = -sq / 2 + Math.log(sizes[c] / p.nTrain);
  });
  const clf = new PyDict();
  clf.entries.set('weight', {
    dtype: 'float32',
    shape: [p.nClasses, p.dim],
    data: weight,
  } satisfies TensorData<'float32'>);
  clf.entries.set('bias', { dtype: 'float32', shape: [p.nClasses], data: bias } satisfies TensorData<'float32'>);
  await writeTorchZip(path.join(dir, 'classifier.pth'), clf);

  const perClass: Record<string, number[]> = {
    train: sizes,
    val: sizes.map(() => p.valPerClass),
    test: sizes.map(() => p.testPerClass),
  };
  for (const grp of ['train', 'val', 'test']) {
    log(`generating ${grp} features…`);
    await featureFile(path.join(dir, 'features', `${grp}.pkl`), shuffledLabels(perClass[grp], rng), means, rng, p.dim);
  }
  fs.writeFileSync(
    toml,
    [
      '# ImageNet-LT-shaped synthetic dataset, generated by bench/scale-data.ts.',
      `[${SCALE_KEY}]`,
      'split_files_dir = "splits"',
      'feature_files_dir = "features"',
      'classifier_file = "classifier.pth"',
      'classifier_loader = "LinearClassifierLoader"',
      'nn_files_dir = "nns"',
      'baseline_eval_file = "baselines/imagenet_lt_shaped.pkl"',
      'proper_name = "ImageNet‑LT‑shaped (synthetic)"',
      '',
    ].join('\n'),
  );
  const splitCounts = Object.fromEntries(SPLITS.map((s) => [s, splits[s].length]));
  fs.writeFileSync(
    infoFile,
    JSON.stringify({ generator: 'bench/scale-data.ts', params: p, split_counts: splitCounts }, null, 1),
  );
  return { toml, key: SCALE_KEY, generatedIn: (performance.now() - started) / 1000, featureBytes };
}
