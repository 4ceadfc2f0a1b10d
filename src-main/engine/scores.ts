/**
 * The pretrained scores R = X·Wᵀ of each datagrp and the per-class mean training features: all that
 * training and evaluation need of the features (model.ts says why). Both depend only on the dataset's
 * sources and its classifier, so they are computed once per dataset and kept
 *  - in memory per dataset object, so the runs of a sweep in one process reuse them, and
 *  - on disk in the app cache, keyed by the dataset fingerprint (which covers every source file,
 *    classifier included) and a hash of the classifier weight, so a later process needs neither the
 *    features nor the GEMM: with a lazily loaded dataset (loadDataset `lazyFeatures`) a warm run reads
 *    only labels and these files.
 * Writes go to a temp file renamed into place; an unreadable entry is a miss and is rewritten.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { PhaseProgress } from '../../src-shared/progress.ts';
import { UserError } from '../errors.ts';
import { hasRoomFor, readFully } from '../files.ts';
import { cacheDir } from '../paths.ts';
import { featureRowReader } from '../data/dataset.ts';
import { ClassMeanAccumulator, classMeans } from './neighbors.ts';
import { tf } from './backend.ts';
import { nativeKernelsFor } from './native-kernels.ts';
import { computeScores } from './score-pool.ts';

const FORMAT = 'alphanet-scores-v1';

/** A cache root: a folder, or null for memory only. undefined = the app's cacheDir(). */
export type CacheRoot = string | null | undefined;

interface Entry {
  format: typeof FORMAT;
  key: string;
  name: string;
  /** Element count and type of the data file. */
  length: number;
  dtype: 'float32' | 'float64';
}

const memory = new WeakMap<LoadedDataset, Map<string, Float32Array | Float64Array>>();
const weightDigests = new WeakMap<LoadedDataset, string>();

/**
 * Which products compute scores: the native kernels or the tfjs backend's, whose sums differ in the
 * last bits. Part of the key, so a run's numbers never depend on whether its scores came from the cache.
 */
function scoreKernels(): string {
  return nativeKernelsFor(tf.getBackend()) ? 'native' : 'tfjs';
}

/** What the cached arrays depend on: the sources (fingerprint), the classifier's numbers, the kernels. */
function datasetKey(ds: LoadedDataset): string {
  let digest = weightDigests.get(ds);
  if (digest === undefined) {
    const w = ds.classifier.weight;
    digest = createHash('sha256')
      .update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength))
      .digest('hex');
    weightDigests.set(ds, digest);
  }
  return createHash('sha256')
    .update(`${FORMAT}\0${ds.fingerprint}\0${ds.nClasses}\0${ds.dim}\0${scoreKernels()}\0${digest}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * `<root>/scores/<dataset folder>-<kernels>/<key>/`: one folder per dataset location and kernels, its
 * stale keys dropped. Switching kernels (ALPHANET_NATIVE=0) is not staleness: each keeps its entries.
 */
function entryDir(root: string, ds: LoadedDataset): { parent: string; dir: string } {
  const folder = createHash('sha256').update(ds.spec.featureFilesDir).digest('hex').slice(0, 16);
  const parent = path.join(root, 'scores', `${ds.spec.key.replace(/[^\w.-]/g, '_')}-${folder}-${scoreKernels()}`);
  return { parent, dir: path.join(parent, datasetKey(ds)) };
}

function fileBase(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

/** The .bin file of a valid entry (its meta names this key, name, dtype and length; the size fits), or null. */
function entryFile(
  dir: string,
  key: string,
  name: string,
  dtype: 'float32' | 'float64',
  length: number | null,
): string | null {
  if (os.endianness() !== 'LE') return null;
  try {
    const meta: unknown = JSON.parse(fs.readFileSync(path.join(dir, `${fileBase(name)}.json`), 'utf8'));
    const m = meta as Partial<Entry>;
    if (m.format !== FORMAT || m.key !== key || m.name !== name || !Number.isSafeInteger(m.length)) return null;
    if (m.dtype !== dtype || (length !== null && m.length !== length)) return null;
    const file = path.join(dir, `${fileBase(name)}.bin`);
    return fs.statSync(file).size === (m.length as number) * (dtype === 'float64' ? 8 : 4) ? file : null;
  } catch {
    return null;
  }
}

function readEntry<T extends Float32Array | Float64Array>(
  dir: string,
  key: string,
  name: string,
  make: (n: number) => T,
  length: number,
): T | null {
  // The entry is checked before the array is made: a miss allocates nothing.
  const file = entryFile(dir, key, name, make(0) instanceof Float64Array ? 'float64' : 'float32', length);
  if (file === null) return null;
  const out = make(length);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      return readFully(fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), 0, out.byteLength, 0)
        ? out
        : null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** Writes one entry; a cache that cannot be written only costs recomputation next time. */
function writeEntry(parent: string, dir: string, key: string, name: string, data: Float32Array | Float64Array): void {
  if (os.endianness() !== 'LE') return;
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const base = path.join(dir, fileBase(name));
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (!hasRoomFor(dir, data.byteLength)) return;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const fd = fs.openSync(`${base}.bin${tag}`, 'w');
    try {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(1 << 30, bytes.length - done));
    } finally {
      fs.closeSync(fd);
    }
    const entry: Entry = {
      format: FORMAT,
      key,
      name,
      length: data.length,
      dtype: data instanceof Float64Array ? 'float64' : 'float32',
    };
    fs.writeFileSync(`${base}.json${tag}`, JSON.stringify(entry));
    fs.renameSync(`${base}.bin${tag}`, `${base}.bin`);
    fs.renameSync(`${base}.json${tag}`, `${base}.json`);
    for (const other of fs.readdirSync(parent)) {
      if (other !== key) fs.rmSync(path.join(parent, other), { recursive: true, force: true });
    }
  } catch {
    fs.rmSync(`${base}.bin${tag}`, { force: true });
    fs.rmSync(`${base}.json${tag}`, { force: true });
  }
}

const root = (r: CacheRoot): string | null => (r === undefined ? cacheDir() : r);

function memoryOf(ds: LoadedDataset): Map<string, Float32Array | Float64Array> {
  let mem = memory.get(ds);
  if (!mem) memory.set(ds, (mem = new Map()));
  return mem;
}

/** The array `name` of `ds` from memory or disk (null on a miss); `length` is what it must hold. */
function lookup<T extends Float32Array | Float64Array>(
  ds: LoadedDataset,
  name: string,
  cacheRoot: CacheRoot,
  make: (n: number) => T,
  length: number,
): T | null {
  const mem = memoryOf(ds);
  const hit = mem.get(name);
  if (hit) return hit as T;
  const folder = root(cacheRoot);
  if (folder === null) return null;
  const value = readEntry(entryDir(folder, ds).dir, datasetKey(ds), name, make, length);
  if (!value) return null;
  mem.set(name, value);
  return value;
}

function keep(ds: LoadedDataset, name: string, cacheRoot: CacheRoot, value: Float32Array | Float64Array): void {
  memoryOf(ds).set(name, value);
  const folder = root(cacheRoot);
  if (folder === null) return;
  const { parent, dir } = entryDir(folder, ds);
  writeEntry(parent, dir, datasetKey(ds), name, value);
}

function datagrpOf(ds: LoadedDataset, name: string) {
  const grp = ds.datagrps[name];
  if (!grp)
    throw new UserError(
      `dataset '${ds.spec.key}' has no datagrp '${name}' (it has ${Object.keys(ds.datagrps).join(', ')})`,
    );
  return grp;
}

/** Lets go of the in-memory scores of datagrp `name` of `ds` (the disk cache keeps them). */
export function forgetScores(ds: LoadedDataset, name: string): void {
  memory.get(ds)?.delete(`scores-${name}`);
}

/**
 * R = X·Wᵀ (n × C, no bias) of a datagrp: memory, then disk, else computed from its features. With
 * `alsoMeans`, a computation also caches the datagrp's class means from the same read of the features
 * (so a cold run reads its training features once, and holds one copy at a time).
 */
export async function datagrpScores(
  ds: LoadedDataset,
  name: string,
  cacheRoot?: CacheRoot,
  opts: {
    alsoMeans?: boolean;
    /** Only when computed (a cache hit is instant). */
    onPhase?: (p: PhaseProgress) => void;
    /**
     * Memory a read from the disk cache may fill instead of a new array, when it is large enough: a lone
     * run's train scores once it is done with them (V8 frees an array only at a later collection, so a
     * new one would be held beside it).
     */
    storage?: Float32Array | null;
  } = {},
): Promise<Float32Array> {
  const grp = datagrpOf(ds, name);
  const key = `scores-${name}`;
  const { storage } = opts;
  const make = (n: number) => (storage && storage.length >= n ? storage.subarray(0, n) : new Float32Array(n));
  const hit = lookup(ds, key, cacheRoot, make, grp.n * ds.nClasses);
  if (hit) return hit;
  const means =
    opts.alsoMeans && !cachedMeans(ds, name, cacheRoot)
      ? new ClassMeanAccumulator(grp.labels, ds.dim, ds.nClasses)
      : null;
  // A lazily loaded datagrp streams its rows from disk: never all of its features in memory at once.
  const phase = `pretrained scores${means ? ' + class means' : ''} of '${name}'`;
  const report = (done: number) => opts.onPhase?.({ phase, done, total: grp.n, unit: 'rows' });
  report(0);
  const scores = await computeScores(
    featureRowReader(grp) ?? grp.feats,
    grp.n,
    ds.dim,
    ds.classifier.weight,
    ds.nClasses,
    {
      onRows: (start, block) => {
        means?.add(start, block);
        // Rows as they are read and dealt out; the last block is reported done once its product is back.
        const end = start + block.length / ds.dim;
        if (end < grp.n) report(end);
      },
    },
  );
  report(grp.n);
  keep(ds, key, cacheRoot, scores);
  if (means) keep(ds, `means-${name}`, cacheRoot, means.means());
  return scores;
}

/** Rows of a datagrp's scores on demand. */
export interface ScoreRows {
  /** The scores of `rows` (len × C, in that order, repeats kept), in `into` if given. */
  gather(rows: readonly number[], into?: Float32Array): Float32Array;
  close(): void;
}

/**
 * A datagrp's scores read row by row from the disk cache, when they are there and not in memory: a
 * lone run's batches touch about 5 % of the train rows an epoch, and filling fresh memory with all of
 * them (463 MB at ImageNet-LT scale) costs more than the run's reads from the OS's file cache. Null when
 * not cached (or in memory already): use datagrpScores.
 */
export function cachedScoreRows(ds: LoadedDataset, name: string, cacheRoot?: CacheRoot): ScoreRows | null {
  const key = `scores-${name}`;
  const folder = root(cacheRoot);
  if (folder === null || memoryOf(ds).has(key)) return null;
  const C = ds.nClasses;
  const file = entryFile(entryDir(folder, ds).dir, datasetKey(ds), key, 'float32', datagrpOf(ds, name).n * C);
  if (file === null) return null;
  // Opened at the first read: a run that fails before its first batch holds no descriptor to close.
  let fd: number | null = null;
  const rowBytes = 4 * C;
  return {
    gather(rows, into) {
      fd ??= fs.openSync(file, 'r');
      const out = into ? into.subarray(0, rows.length * C) : new Float32Array(rows.length * C);
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      // Runs of consecutive rows in one read.
      for (let i = 0; i < rows.length;) {
        let j = i + 1;
        while (j < rows.length && rows[j] === rows[j - 1] + 1) j++;
        if (!readFully(fd, bytes, i * rowBytes, (j - i) * rowBytes, rows[i] * rowBytes))
          throw new UserError(`the cached scores of '${name}' (${file}) ended early; run \`alphanet cache --clear\``);
        i = j;
      }
      return out;
    },
    close() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}

function cachedMeans(ds: LoadedDataset, name: string, cacheRoot: CacheRoot): Float64Array | null {
  return lookup(ds, `means-${name}`, cacheRoot, (n) => new Float64Array(n), ds.nClasses * ds.dim);
}

/** Rows per block when class means stream a lazily loaded datagrp (2048 × d floats). */
const MEAN_BLOCK_ROWS = 2048;

/** Per-class mean features (C × d, float64) over a datagrp: memory, then disk, else computed. */
export function datagrpMeans(ds: LoadedDataset, name: string, cacheRoot?: CacheRoot): Float64Array {
  const hit = cachedMeans(ds, name, cacheRoot);
  if (hit) return hit;
  const grp = datagrpOf(ds, name);
  const readRows = featureRowReader(grp);
  let means: Float64Array;
  if (readRows) {
    const acc = new ClassMeanAccumulator(grp.labels, ds.dim, ds.nClasses);
    for (let start = 0; start < grp.n; start += MEAN_BLOCK_ROWS)
      acc.add(start, readRows(start, Math.min(MEAN_BLOCK_ROWS, grp.n - start)));
    means = acc.means();
  } else {
    means = classMeans(grp, ds.dim, ds.nClasses);
  }
  keep(ds, `means-${name}`, cacheRoot, means);
  return means;
}

/** A dataset's pretrained scores and class means in shared memory, by cache name (`scores-train`, `means-train`). */
export type SharedScores = Record<string, Float32Array | Float64Array>;

/** `a` itself when it lives in shared memory, else a copy there. */
function inSharedMemory<T extends Float32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = (
    a instanceof Float64Array
      ? new Float64Array(new SharedArrayBuffer(a.byteLength))
      : new Float32Array(new SharedArrayBuffer(a.byteLength))
  ) as T;
  out.set(a);
  return out;
}

/**
 * The scores of `datagrps` and the class means of `trainDatagrp` (memory, disk, else computed), moved
 * into shared memory and kept there in this dataset's memory: worker threads handed them (adoptScores)
 * read the same bytes, so concurrent runs hold one copy however many there are. A disk hit is read
 * straight into shared memory; anything already in memory is copied there once.
 */
export async function shareScores(
  ds: LoadedDataset,
  datagrps: readonly string[],
  trainDatagrp: string,
  cacheRoot: CacheRoot,
  onPhase?: (p: PhaseProgress) => void,
): Promise<SharedScores> {
  const mem = memoryOf(ds);
  const out: SharedScores = {};
  for (const name of new Set(datagrps)) {
    const n = datagrpOf(ds, name).n * ds.nClasses;
    const storage = mem.has(`scores-${name}`) ? null : new Float32Array(new SharedArrayBuffer(4 * n));
    const scores = await datagrpScores(ds, name, cacheRoot, { alsoMeans: name === trainDatagrp, onPhase, storage });
    // Computed (a miss): the worker pool's output is shared already (the storage, never touched, costs
    // nothing); an array computed in this thread is copied into the storage, not into a third one.
    const buffer: ArrayBufferLike = scores.buffer;
    let shared = scores;
    if (!(buffer instanceof SharedArrayBuffer)) {
      if (storage) storage.set(scores);
      shared = storage ?? inSharedMemory(scores);
    }
    mem.set(`scores-${name}`, (out[`scores-${name}`] = shared));
  }
  const means = datagrpMeans(ds, trainDatagrp, cacheRoot);
  mem.set(`means-${trainDatagrp}`, (out[`means-${trainDatagrp}`] = inSharedMemory(means)));
  return out;
}

/** Puts arrays shareScores made (on another thread) into `ds`'s memory, so the engine reads them in place. */
export function adoptScores(ds: LoadedDataset, shared: SharedScores): void {
  const mem = memoryOf(ds);
  for (const [name, array] of Object.entries(shared)) mem.set(name, array);
}
