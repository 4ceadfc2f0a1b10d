/**
 * Nearest base classes of each few class (spec §2), by distance between per-class mean training
 * features. Everything runs in float64 JS: the ordering must be exact, ties going to the lower class id.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NNDist } from '../../src-shared/config.ts';
import type { Datagrp, LoadedDataset } from '../../src-shared/dataset.ts';
import { neighborCountProblem } from '../../src-shared/run-config-validation.ts';
import { Rng } from '../../src-shared/rng.ts';
import { UserError } from '../errors.ts';
import { cacheDir } from '../paths.ts';

/** few[i]'s neighbours are neighbors[i], nearest first; `few` ascending. */
export interface NeighborTable {
  dist: NNDist;
  k: number;
  few: number[];
  neighbors: number[][];
  /** Only for `random`: the seed the distances were drawn from. */
  seed: number | null;
}

/**
 * Per-class means fed block by block (rows in order), so features can stream past: add() each block,
 * then means(). Float64 sums in row order, whatever the blocks.
 */
export class ClassMeanAccumulator {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    private readonly labels: Int32Array,
    private readonly dim: number,
    private readonly nClasses: number,
  ) {
    this.sums = new Float64Array(nClasses * dim);
    this.counts = new Float64Array(nClasses);
  }

  /** Rows start .. start + block.length/dim. */
  add(start: number, block: Float32Array): void {
    const { dim, sums } = this;
    const rows = block.length / dim;
    for (let r = 0; r < rows; r++) {
      const c = this.labels[start + r];
      this.counts[c]++;
      const out = c * dim;
      for (let j = 0; j < dim; j++) sums[out + j] += block[r * dim + j];
    }
  }

  /** C × dim, float64; rows of classes without samples stay 0. */
  means(): Float64Array {
    const { dim, sums, counts } = this;
    for (let c = 0; c < this.nClasses; c++) {
      if (counts[c] === 0) continue;
      for (let j = 0; j < dim; j++) sums[c * dim + j] /= counts[c];
    }
    return sums;
  }
}

/** Mean feature vector of every class over `grp` (C × dim, float64; rows of classes without samples stay 0). */
export function classMeans(grp: Pick<Datagrp, 'feats' | 'labels' | 'n'>, dim: number, nClasses: number): Float64Array {
  const acc = new ClassMeanAccumulator(grp.labels, dim, nClasses);
  // Read once: a lazily loaded datagrp reads its features from disk on every access.
  acc.add(0, grp.feats.subarray(0, grp.n * dim));
  return acc.means();
}

/** The rule of src-shared (neighborCountProblem), for callers without a whole config (`alphanet neighbors`). */
export function checkNeighborCount(k: number, nBase: number): void {
  const problem = neighborCountProblem(k, nBase);
  if (problem) throw new UserError(`the number of neighbours (${k}) ${problem}`);
}

/**
 * Distances (few.length × base.length, row-major) between class means. `random` draws uniform
 * distances from `rng`, row by row.
 */
export function classDistances(
  means: Float64Array,
  dim: number,
  few: readonly number[],
  base: readonly number[],
  dist: NNDist,
  rng: Rng | null,
): Float64Array {
  const out = new Float64Array(few.length * base.length);
  if (dist === 'random') {
    if (!rng) throw new Error('random neighbour distances need an RNG');
    for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat();
    return out;
  }
  const norms = (c: number): number => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += means[c * dim + j] ** 2;
    // As torch.nn.functional.normalize: the norm is clamped at 1e-12.
    return Math.max(Math.sqrt(s), 1e-12);
  };
  const baseNorms = dist === 'cosine' ? base.map(norms) : [];
  few.forEach((f, i) => {
    const fNorm = dist === 'cosine' ? norms(f) : 1;
    base.forEach((b, j) => {
      let acc = 0;
      if (dist === 'euclidean') {
        for (let t = 0; t < dim; t++) acc += (means[f * dim + t] - means[b * dim + t]) ** 2;
        out[i * base.length + j] = Math.sqrt(acc);
      } else {
        for (let t = 0; t < dim; t++) acc += (means[f * dim + t] / fNorm) * (means[b * dim + t] / baseNorms[j]);
        out[i * base.length + j] = 1 - acc;
      }
    });
  });
  return out;
}

/** For each row, the k column positions of the smallest distances, ascending; ties to the lower position. */
export function smallestK(distances: Float64Array, nRows: number, nCols: number, k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < nRows; i++) {
    const order = Array.from({ length: nCols }, (_, j) => j);
    order.sort((a, b) => distances[i * nCols + a] - distances[i * nCols + b] || a - b);
    rows.push(order.slice(0, k));
  }
  return rows;
}

/** The neighbour table of `ds` (base = many ∪ medium, ascending), from the `trainDatagrp` means. */
export function computeNeighbors(
  ds: LoadedDataset,
  k: number,
  dist: NNDist,
  seed: number | null,
  trainDatagrp = 'train',
  meansOf?: () => Float64Array,
): NeighborTable {
  const few = [...ds.splits.few].sort((a, b) => a - b);
  const base = [...ds.splits.many, ...ds.splits.medium].sort((a, b) => a - b);
  checkNeighborCount(k, base.length);
  const grp = ds.datagrps[trainDatagrp];
  if (!grp) throw new UserError(`dataset '${ds.spec.key}' has no '${trainDatagrp}' datagrp to take class means from`);
  if (dist === 'random' && seed === null) throw new Error('random neighbours need a seed');
  // `random` needs no means (and a lazily loaded dataset then never reads its features).
  const means = dist === 'random' ? new Float64Array(0) : (meansOf?.() ?? classMeans(grp, ds.dim, ds.nClasses));
  const rng = dist === 'random' ? Rng.fromSeed(seed ?? 0, 'random-neighbors') : null;
  const d = classDistances(means, ds.dim, few, base, dist, rng);
  const positions = smallestK(d, few.length, base.length, k);
  return {
    dist,
    k,
    few,
    neighbors: positions.map((row) => row.map((j) => base[j])),
    seed: dist === 'random' ? seed : null,
  };
}

function cacheFile(
  root: string,
  ds: LoadedDataset,
  k: number,
  dist: NNDist,
  seed: number | null,
  trainDatagrp: string,
): string {
  const tag = dist === 'random' ? `random_${k}_seed${seed}` : `${dist}_${k}`;
  return path.join(
    root,
    'nns',
    `${ds.fingerprint.slice(0, 32)}-${trainDatagrp.replace(/[^\w.-]/g, '_')}`,
    `${tag}.json`,
  );
}

function isNeighborTable(value: unknown, k: number, dist: NNDist): value is NeighborTable {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<NeighborTable>;
  return (
    t.dist === dist &&
    t.k === k &&
    Array.isArray(t.few) &&
    Array.isArray(t.neighbors) &&
    t.neighbors.length === t.few.length &&
    t.neighbors.every((row) => Array.isArray(row) && row.length === k)
  );
}

/**
 * computeNeighbors through the app cache (keyed by dataset fingerprint, datagrp, metric, k and, for
 * `random`, the seed). A damaged cache file is recomputed and rewritten.
 */
export function loadNeighbors(
  ds: LoadedDataset,
  k: number,
  dist: NNDist,
  seed: number | null,
  opts: {
    trainDatagrp?: string;
    cacheRoot?: string | null;
    /** The class means of `trainDatagrp` when they are at hand (e.g. cached); else computed from its features. */
    meansOf?: () => Float64Array;
  } = {},
): NeighborTable {
  const trainDatagrp = opts.trainDatagrp ?? 'train';
  const root = opts.cacheRoot === undefined ? cacheDir() : opts.cacheRoot;
  checkNeighborCount(k, ds.splits.many.length + ds.splits.medium.length);
  if (root === null) return computeNeighbors(ds, k, dist, seed, trainDatagrp, opts.meansOf);
  const file = cacheFile(root, ds, k, dist, seed, trainDatagrp);
  try {
    const cached: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (isNeighborTable(cached, k, dist)) return cached;
  } catch {
    // Missing or unreadable: compute below.
  }
  const table = computeNeighbors(ds, k, dist, seed, trainDatagrp, opts.meansOf);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(table));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only cache only costs recomputation next time.
  }
  return table;
}
