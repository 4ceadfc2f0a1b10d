/**
 * The demo dataset's math: long-tailed class sizes, Gaussian class clusters grouped by relatedness,
 * and a softmax-regression "pretrained" classifier fitted with plain cross-entropy on the imbalanced
 * train set (so, like a real long-tailed model, it favours many-shot classes).
 *
 * Everything is a pure function of the parameters: one seeded PRNG (src-shared/rng.ts), float64
 * arithmetic in a fixed order, float32 only at the output. Box–Muller and the softmax use Math.log,
 * Math.cos and Math.exp, whose last bits IEEE 754 does not pin down; V8 (Node and Electron) computes
 * them with the same fdlibm port on every platform, so the bytes repeat there. Another engine could
 * differ in a last bit, which float32 rounding almost always hides.
 */
import { Rng } from '../../src-shared/rng.ts';
import { SPLITS, type SplitName } from '../../src-shared/dataset.ts';

export interface DemoParams {
  seed: number;
  dim: number;
  /** How many classes fall in each split; the train sizes are laid out to match. */
  splitClassCounts: Record<SplitName, number>;
  maxTrain: number;
  minTrain: number;
  valPerClass: number;
  testPerClass: number;
  /** Per-dimension std of group centres around the origin. */
  groupScale: number;
  /** Per-dimension std of a base class's centre around its group centre. */
  classScale: number;
  /** Per-dimension std of a few class's centre around its anchor (a base class of its group). */
  fewOffset: number;
  /** Per-dimension std of samples around their class centre… */
  sigma: number;
  /** …times exp(sigmaJitter · z) per class, so clusters differ in spread. */
  sigmaJitter: number;
  clfEpochs: number;
  clfBatchSize: number;
  clfLr: number;
  clfWeightDecay: number;
}

export interface DemoClassInput {
  wnid: string;
  group: string;
}

export const DATAGRPS = ['train', 'val', 'test'] as const;
export type DemoDatagrp = (typeof DATAGRPS)[number];

export interface DemoFeatureSet {
  /** n × dim, row-major; rows shuffled so labels interleave. */
  feats: Float32Array;
  labels: number[];
  n: number;
}

export interface DemoData {
  params: DemoParams;
  /** Class-id order (sorted wnids). */
  classes: DemoClassInput[];
  trainSizes: number[];
  splitOf: SplitName[];
  splits: Record<SplitName, number[]>;
  /** Few class id → the base class id its cluster was placed next to. */
  fewAnchor: Map<number, number>;
  datagrps: Record<DemoDatagrp, DemoFeatureSet>;
  /** C × dim row-major, and C biases. */
  classifier: { weight: Float32Array; bias: Float32Array };
}

/** The rule the splits follow (ImageNet-LT's): few < 20 training images, medium 20–100, many > 100. */
export function splitOfTrainSize(n: number): SplitName {
  if (n < 20) return 'few';
  return n <= 100 ? 'medium' : 'many';
}

/** Each split's band of train sizes, largest first. */
function sizeBand(split: SplitName, maxTrain: number, minTrain: number): [number, number] {
  if (split === 'many') return [maxTrain, 101];
  if (split === 'medium') return [100, 20];
  return [19, minTrain];
}

/**
 * Train sizes, descending: within each split's band, a geometric run from the band's top to its bottom
 * (piecewise exponential, like a Pareto tail), so the split counts come out exactly as asked.
 */
export function longTailSizes(counts: Record<SplitName, number>, maxTrain: number, minTrain: number): number[] {
  if (!(maxTrain > 100) || !(minTrain >= 1 && minTrain < 20)) {
    throw new RangeError(`need maxTrain > 100 and 1 ≤ minTrain < 20, got ${maxTrain} and ${minTrain}`);
  }
  const sizes: number[] = [];
  for (const split of SPLITS) {
    const [top, bottom] = sizeBand(split, maxTrain, minTrain);
    const count = counts[split];
    for (let i = 0; i < count; i++) {
      const t = count === 1 ? 0 : i / (count - 1);
      sizes.push(Math.round(top * Math.pow(bottom / top, t)));
    }
  }
  return sizes;
}

/** Standard normal draws by Box–Muller, caching the second value of each pair. */
export class Gaussian {
  private spare: number | null = null;
  constructor(private readonly rng: Rng) {}

  next(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.rng.nextFloat(); // (0, 1]: log stays finite
    const u2 = this.rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  vector(dim: number, scale: number, around?: Float64Array): Float64Array {
    const v = new Float64Array(dim);
    for (let j = 0; j < dim; j++) v[j] = (around ? around[j] : 0) + scale * this.next();
    return v;
  }
}

function swap<T>(items: T[], i: number, j: number): void {
  const tmp = items[i];
  items[i] = items[j];
  items[j] = tmp;
}

/**
 * Gives each class a train size: a seeded shuffle, then swaps so every pinned few class gets a few
 * size and its anchor a many size (the swap partners are unpinned classes of the right split).
 */
export function assignSizes(
  sizes: readonly number[],
  pinned: readonly (readonly [number, number])[],
  rng: Rng,
): number[] {
  const bySize = rng.shuffle([...sizes]);
  const pinnedIds = new Set(pinned.flat());
  const fix = (cls: number, want: SplitName): void => {
    if (splitOfTrainSize(bySize[cls]) === want) return;
    const partners = bySize.flatMap((n, c) => (!pinnedIds.has(c) && splitOfTrainSize(n) === want ? [c] : []));
    if (partners.length === 0) throw new RangeError(`no unpinned ${want} class left to swap with class ${cls}`);
    swap(bySize, cls, partners[rng.nextInt(partners.length)]);
  };
  for (const [few, anchor] of pinned) {
    fix(few, 'few');
    fix(anchor, 'many');
  }
  return bySize;
}

/** Row-wise argmax of x·Wᵀ + b (float64 sums, ties to the lower class id). */
export function predict(feats: Float32Array, n: number, weight: Float32Array, bias: Float32Array): Int32Array {
  const nClasses = bias.length;
  const dim = weight.length / nClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = i * dim;
    let best = -Infinity;
    let arg = 0;
    for (let c = 0; c < nClasses; c++) {
      const w = c * dim;
      let z = bias[c];
      for (let j = 0; j < dim; j++) z += feats[x + j] * weight[w + j];
      if (z > best) {
        best = z;
        arg = c;
      }
    }
    out[i] = arg;
  }
  return out;
}

export type SplitAccuracy = Record<SplitName | 'overall', number>;

/** Accuracy per split of the true label (correct / samples of that split), and overall. */
export function splitAccuracy(
  pred: Int32Array,
  labels: readonly number[],
  splitOf: readonly SplitName[],
): SplitAccuracy {
  const correct = { many: 0, medium: 0, few: 0, overall: 0 };
  const total = { many: 0, medium: 0, few: 0, overall: 0 };
  labels.forEach((y, i) => {
    const hit = pred[i] === y ? 1 : 0;
    correct[splitOf[y]] += hit;
    total[splitOf[y]] += 1;
    correct.overall += hit;
    total.overall += 1;
  });
  const frac = (k: SplitName | 'overall'): number => (total[k] === 0 ? 0 : correct[k] / total[k]);
  return { many: frac('many'), medium: frac('medium'), few: frac('few'), overall: frac('overall') };
}

/**
 * Softmax regression by mini-batch gradient descent on mean cross-entropy plus L2 on the weights,
 * from zeros, batches reshuffled every epoch. Returns float64 parameters (C × dim, C).
 */
export function trainSoftmaxRegression(
  set: DemoFeatureSet,
  dim: number,
  nClasses: number,
  opts: { epochs: number; batchSize: number; lr: number; weightDecay: number },
  rng: Rng,
): { weight: Float64Array; bias: Float64Array } {
  const weight = new Float64Array(nClasses * dim);
  const bias = new Float64Array(nClasses);
  const gradW = new Float64Array(nClasses * dim);
  const gradB = new Float64Array(nClasses);
  const logits = new Float64Array(nClasses);
  const order = Array.from({ length: set.n }, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < set.n; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      gradW.fill(0);
      gradB.fill(0);
      for (const i of batch) {
        const x = i * dim;
        let max = -Infinity;
        for (let c = 0; c < nClasses; c++) {
          let z = bias[c];
          const w = c * dim;
          for (let j = 0; j < dim; j++) z += set.feats[x + j] * weight[w + j];
          logits[c] = z;
          if (z > max) max = z;
        }
        let sum = 0;
        for (let c = 0; c < nClasses; c++) {
          logits[c] = Math.exp(logits[c] - max);
          sum += logits[c];
        }
        const y = set.labels[i];
        for (let c = 0; c < nClasses; c++) {
          // d(CE)/d(logit_c) = p_c − [c = y], averaged over the batch below.
          const g = logits[c] / sum - (c === y ? 1 : 0);
          gradB[c] += g;
          const w = c * dim;
          for (let j = 0; j < dim; j++) gradW[w + j] += g * set.feats[x + j];
        }
      }
      const step = opts.lr / batch.length;
      for (let k = 0; k < weight.length; k++) weight[k] -= step * gradW[k] + opts.lr * opts.weightDecay * weight[k];
      for (let c = 0; c < nClasses; c++) bias[c] -= step * gradB[c];
    }
  }
  return { weight, bias };
}

/** Draws `counts[c]` samples of each class around its centre, then shuffles the rows. */
function sampleSet(
  centres: Float64Array[],
  spreads: number[],
  counts: readonly number[],
  dim: number,
  gauss: Gaussian,
  rng: Rng,
): DemoFeatureSet {
  const labels = counts.flatMap((k, c) => Array.from({ length: k }, () => c));
  const rows = labels.map((c) => gauss.vector(dim, spreads[c], centres[c]));
  const order = rng.shuffle(Array.from({ length: labels.length }, (_, i) => i));
  const feats = new Float32Array(labels.length * dim);
  order.forEach((src, dst) => feats.set(rows[src], dst * dim));
  return { feats, labels: order.map((src) => labels[src]), n: labels.length };
}

/**
 * The whole demo dataset. `classes` may come in any order: ids follow sorted wnids. `pinned` lists
 * (few wnid, anchor wnid) pairs placed next to each other on purpose.
 */
export function generateDemo(
  params: DemoParams,
  classes: readonly DemoClassInput[],
  pinned: readonly (readonly [string, string])[],
): DemoData {
  const sorted = [...classes].sort((a, b) => (a.wnid < b.wnid ? -1 : a.wnid > b.wnid ? 1 : 0));
  const nClasses = sorted.length;
  const idOf = new Map(sorted.map((c, i) => [c.wnid, i]));
  if (idOf.size !== nClasses) throw new RangeError('class wnids must be distinct');
  const { many, medium, few } = params.splitClassCounts;
  if (many + medium + few !== nClasses) {
    throw new RangeError(`split class counts ${many}+${medium}+${few} do not add up to ${nClasses} classes`);
  }
  const pinnedIds = pinned.map(([f, a]): [number, number] => {
    const fi = idOf.get(f);
    const ai = idOf.get(a);
    if (fi === undefined || ai === undefined)
      throw new RangeError(`pinned pair ${f}/${a} names a class not in the list`);
    if (sorted[fi].group !== sorted[ai].group) throw new RangeError(`pinned pair ${f}/${a} spans two groups`);
    return [fi, ai];
  });

  const trainSizes = assignSizes(
    longTailSizes(params.splitClassCounts, params.maxTrain, params.minTrain),
    pinnedIds,
    Rng.fromSeed(params.seed, 'demo/sizes'),
  );
  const splitOf = trainSizes.map(splitOfTrainSize);
  const splits: Record<SplitName, number[]> = { many: [], medium: [], few: [] };
  splitOf.forEach((s, c) => splits[s].push(c));

  // Geometry: group centres, base classes around them, few classes around a base class of their group.
  const geoRng = Rng.fromSeed(params.seed, 'demo/centres');
  const gauss = new Gaussian(geoRng);
  const groupNames = [...new Set(sorted.map((c) => c.group))];
  const groupCentre = new Map(groupNames.map((g) => [g, gauss.vector(params.dim, params.groupScale)]));
  const centres: Float64Array[] = new Array<Float64Array>(nClasses);
  for (let c = 0; c < nClasses; c++) {
    if (splitOf[c] !== 'few')
      centres[c] = gauss.vector(params.dim, params.classScale, groupCentre.get(sorted[c].group));
  }
  const fewAnchor = new Map<number, number>(pinnedIds);
  for (const c of splits.few) {
    if (fewAnchor.has(c)) continue;
    const sameGroup = [...splits.many, ...splits.medium]
      .filter((b) => sorted[b].group === sorted[c].group)
      .sort((a, b) => a - b);
    const pool = sameGroup.length > 0 ? sameGroup : [...splits.many, ...splits.medium].sort((a, b) => a - b);
    fewAnchor.set(c, pool[geoRng.nextInt(pool.length)]);
  }
  for (const c of splits.few)
    centres[c] = gauss.vector(params.dim, params.fewOffset, centres[fewAnchor.get(c) as number]);
  const spreads = sorted.map(() => params.sigma * Math.exp(params.sigmaJitter * gauss.next()));

  const perGrp: Record<DemoDatagrp, readonly number[]> = {
    train: trainSizes,
    val: trainSizes.map(() => params.valPerClass),
    test: trainSizes.map(() => params.testPerClass),
  };
  const datagrps = {} as Record<DemoDatagrp, DemoFeatureSet>;
  for (const grp of DATAGRPS) {
    const rng = Rng.fromSeed(params.seed, `demo/${grp}`);
    datagrps[grp] = sampleSet(centres, spreads, perGrp[grp], params.dim, new Gaussian(rng), rng);
  }

  const fitted = trainSoftmaxRegression(
    datagrps.train,
    params.dim,
    nClasses,
    { epochs: params.clfEpochs, batchSize: params.clfBatchSize, lr: params.clfLr, weightDecay: params.clfWeightDecay },
    Rng.fromSeed(params.seed, 'demo/classifier'),
  );
  return {
    params,
    classes: sorted,
    trainSizes,
    splitOf,
    splits,
    fewAnchor,
    datagrps,
    classifier: { weight: Float32Array.from(fitted.weight), bias: Float32Array.from(fitted.bias) },
  };
}
