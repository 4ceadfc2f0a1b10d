import fs from 'node:fs';
import path from 'node:path';
import type { TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { readFileRange } from '../files.ts';
import { deferredRange, readPythonFile, toFloat32, type FileRange } from '../formats/read.ts';
import { isTensor, PyDict, PyTuple, type PyValue } from '../formats/pyvalue.ts';

/** Per-shard facts kept with the converted arrays (and in the cache), so checks never re-read sources. */
export interface ShardStats {
  file: string;
  n: number;
  nanCount: number;
  infCount: number;
  /** null: the shard has no `idxs`; false: `idxs` is not 0..n−1 (rows still take `labels[i]`). */
  idxsIdentity: boolean | null;
  /** Dict keys besides feats/labels/idxs (ignored). */
  otherKeys: string[];
}

/**
 * A shard's features left in its source file: n float32 rows, little-endian and contiguous from
 * `byteOffset` (a torch storage or numpy buffer stored raw in the file), read from there when needed.
 */
export interface FeaturePlace extends FileRange {
  n: number;
}

/** One datagrp's shards, concatenated in file order. */
export interface ConvertedDatagrp {
  /** n × dim, row-major; with `places`, read from the source files on every access. */
  feats: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
  shards: ShardStats[];
  /** Present when every shard's features stay in its source file (one per shard, in order). */
  places?: FeaturePlace[];
}

/** `obj` plus a `feats` getter; not enumerable, so copying or printing the object never reads gigabytes. */
export function withLazyFeats<T extends object>(obj: T, read: () => Float32Array): T & { feats: Float32Array } {
  return Object.defineProperty(obj, 'feats', { get: read, enumerable: false }) as T & { feats: Float32Array };
}

/** Reads rows start .. start+count of features (into `into`, its first count·dim floats, when given). */
export type RowReader = (start: number, count: number, into?: Float32Array) => Float32Array;

/** A RowReader over features kept in place in their shards' files (rows may span shards). */
export function placedRowReader(places: readonly FeaturePlace[], dim: number, what: string): RowReader {
  const n = places.reduce((sum, p) => sum + p.n, 0);
  return (start, count, into) => {
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= n)) {
      throw new RangeError(`rows ${start}..${start + count} outside 0..${n}`);
    }
    // Unzeroed: every byte is overwritten by the reads, and zero-filling a fresh gigabyte costs seconds here.
    const out = into
      ? into.subarray(0, count * dim)
      : new Float32Array(Buffer.allocUnsafeSlow(count * dim * 4).buffer, 0, count * dim);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let first = 0;
    let row = start;
    for (const place of places) {
      const end = first + place.n;
      if (row < end && row < start + count) {
        const take = Math.min(end, start + count) - row;
        const at = (row - start) * dim * 4;
        let got: Uint8Array | null = null;
        try {
          got = readFileRange(
            place.file,
            place.fileSize,
            place.byteOffset + (row - first) * dim * 4,
            take * dim * 4,
            bytes.subarray(at),
          );
        } catch {
          // Reported below.
        }
        if (got === null)
          throw new FileFormatError(
            place.file,
            `${what} changed or vanished since the dataset was loaded; load it again`,
          );
        row += take;
      }
      first = end;
    }
    return out;
  };
}

/** Bytes per read of a scan over features in place: big enough for full-speed reads, small enough to stay cached. */
const SCAN_BYTES = 16 << 20;

/** NaN and ±∞ counts of n·dim float32 values at `place`, streamed through one buffer (never held whole). */
function scanPlace(
  place: FileRange,
  values: number,
  onScan?: (bytesDone: number, size: number) => void,
): { nanCount: number; infCount: number } {
  const chunk = new Float32Array(Math.min(SCAN_BYTES / 4, values));
  const bytes = new Uint8Array(chunk.buffer);
  let nanCount = 0;
  let infCount = 0;
  for (let done = 0; done < values;) {
    const take = Math.min(chunk.length, values - done);
    const got = readFileRange(place.file, place.fileSize, place.byteOffset + done * 4, take * 4, bytes);
    if (got === null) throw new FileFormatError(place.file, 'the file changed while it was being read');
    ({ nanCount, infCount } = countNonFinite(chunk, take, nanCount, infCount));
    done += take;
    onScan?.(place.byteOffset + done * 4, place.fileSize);
  }
  return { nanCount, infCount };
}

/** Adds the NaN and ±∞ values among data[0 .. length) to the counts. */
function countNonFinite(
  data: Float32Array,
  length: number,
  nanCount: number,
  infCount: number,
): { nanCount: number; infCount: number } {
  for (let i = 0; i < length; i++) {
    const x = data[i];
    if (x - x !== 0) {
      if (Number.isNaN(x)) nanCount++;
      else infCount++;
    }
  }
  return { nanCount, infCount };
}

/**
 * Compares names so that numbered shards keep their numeric order (`train_2` before `train_10`):
 * digit runs compare as numbers, everything else by code point, and equal-looking names
 * (`x01` / `x1`) fall back to plain code-point order, so the order is total and deterministic.
 */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits) {
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `{featureDir}/{datagrp}*.pkl` (the original's glob), in natural name order. */
export function listShards(featureDir: string, datagrp: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(featureDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileFormatError(
      featureDir,
      code === 'ENOENT' ? 'feature folder not found' : `cannot list the feature folder (${code ?? String(error)})`,
    );
  }
  return names
    .filter(
      (name) => name.startsWith(datagrp) && name.endsWith('.pkl') && fs.statSync(path.join(featureDir, name)).isFile(),
    )
    .sort(naturalCompare)
    .map((name) => path.join(featureDir, name));
}

function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (isTensor(value)) return `a ${value.dtype} array of shape (${value.shape.join(', ')})`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof PyTuple) return `a tuple of ${value.items.length}`;
  if (value instanceof PyDict) return `a dict (${value.pyClass})`;
  if (typeof value === 'object') return `a ${value.constructor.name}`;
  return `a ${typeof value}`;
}

export function dictKeys(dict: PyDict): string[] {
  return [...dict.entries.keys()].map((k) => (typeof k === 'string' ? `'${k}'` : String(k)));
}

/** Reads integer labels from a list/tuple of ints or an integer array. */
export function toLabels(value: PyValue | undefined, file: string, what: string): Int32Array {
  const fail = (problem: string): never => {
    throw new FileFormatError(file, `${what}: ${problem}`);
  };
  if (isTensor(value)) return tensorToInt32(value, file, what);
  const items = Array.isArray(value)
    ? value
    : value instanceof PyTuple
      ? value.items
      : fail(`expected a list of ints or an integer array, found ${describe(value)}`);
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
    if (!Number.isInteger(n))
      fail(`entry ${i} is ${describe(v)}${typeof v === 'number' ? ` (${v})` : ''}, not an integer`);
    if (n < -(2 ** 31) || n >= 2 ** 31) fail(`entry ${i} (${n}) is out of range for a class id`);
    out[i] = n;
  }
  return out;
}

function tensorToInt32(t: TensorData, file: string, what: string): Int32Array {
  if (t.shape.length !== 1)
    throw new FileFormatError(file, `${what}: expected a 1-D array, found shape (${t.shape.join(', ')})`);
  switch (t.dtype) {
    case 'int32':
      return t.data as Int32Array;
    case 'int16':
    case 'int8':
    case 'uint8':
    case 'bool':
      return Int32Array.from(t.data as Int16Array | Int8Array | Uint8Array);
    case 'int64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v < -2147483648n || v > 2147483647n)
          throw new FileFormatError(file, `${what}: entry ${i} (${v}) is out of range for a class id`);
        out[i] = Number(v);
      }
      return out;
    }
    default:
      throw new FileFormatError(file, `${what}: expected integers, found dtype ${t.dtype}`);
  }
}

/** Whether `idxs` is 0..n−1; any other value (wrong length, huge or odd entries) is simply not. */
function isIdentity(idxs: PyValue, n: number): boolean {
  const items = isTensor(idxs)
    ? idxs.shape.length === 1
      ? idxs.data
      : null
    : Array.isArray(idxs)
      ? idxs
      : idxs instanceof PyTuple
        ? idxs.items
        : null;
  if (items === null || items.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const v = items[i];
    if (typeof v === 'bigint' ? v !== BigInt(i) : v !== i) return false;
  }
  return true;
}

const FLOAT_DTYPES = new Set(['float64', 'float32', 'float16', 'bfloat16']);

/**
 * Checks and converts one shard's unpickled value (a dict {feats, labels, idxs?}). Float32 features
 * left unread by the reader (deferArrays) stay where they are: `feats` is then their place, scanned
 * for NaN/∞ without being held.
 */
export function convertShard(
  value: PyValue,
  file: string,
  onScan?: (bytesDone: number, size: number) => void,
): { feats: Float32Array | FeaturePlace; labels: Int32Array; dim: number; stats: ShardStats } {
  if (!(value instanceof PyDict)) {
    throw new FileFormatError(
      file,
      `expected a dict with keys 'feats', 'labels' (and optionally 'idxs'), found ${describe(value)}`,
    );
  }
  const feats = value.get('feats');
  const rawLabels = value.get('labels');
  if (feats === undefined || rawLabels === undefined) {
    const keys = dictKeys(value);
    throw new FileFormatError(
      file,
      `expected a dict with keys 'feats', 'labels' (and optionally 'idxs'); found keys: ${keys.length > 0 ? keys.join(', ') : 'none'}`,
    );
  }
  if (!isTensor(feats)) throw new FileFormatError(file, `'feats' is ${describe(feats)}, not a tensor or numpy array`);
  if (feats.shape.length !== 2)
    throw new FileFormatError(file, `'feats' must be 2-D (n × d), found shape (${feats.shape.join(', ')})`);
  if (!FLOAT_DTYPES.has(feats.dtype))
    throw new FileFormatError(file, `'feats' must hold floats, found dtype ${feats.dtype}`);
  const [n, dim] = feats.shape;
  // (n, 0) holds no bytes however large n is: refused before anything is sized by n.
  if (dim === 0) throw new FileFormatError(file, `'feats' has shape (${n}, 0): no feature dims`);
  const labels = toLabels(rawLabels, file, "'labels'");
  if (labels.length !== n)
    throw new FileFormatError(file, `'feats' has ${n} rows but 'labels' has ${labels.length} entries`);
  const range = feats.dtype === 'float32' ? deferredRange(feats) : null;
  const data = range ? { ...range, n } : toFloat32(feats);
  const { nanCount, infCount } = range
    ? scanPlace(range, n * dim, onScan)
    : countNonFinite(data as Float32Array, n * dim, 0, 0);
  const rawIdxs = value.get('idxs');
  const idxsIdentity = rawIdxs === undefined || rawIdxs === null ? null : isIdentity(rawIdxs, n);
  const otherKeys = dictKeys(value).filter((k) => !["'feats'", "'labels'", "'idxs'"].includes(k));
  return { feats: data, labels, dim, stats: { file, n, nanCount, infCount, idxsIdentity, otherKeys } };
}

/**
 * Reads and concatenates shards; every shard must have the first one's feature dim. `inPlace`: when
 * every shard's features can stay in its file (float32 arrays stored raw: see ReadOptions.deferArrays), they do
 * (`places`), and `feats` reads them on each access.
 */
export async function readShards(
  files: readonly string[],
  onFile?: (file: string, index: number) => void,
  onRead?: (file: string, bytesDone: number, size: number) => void,
  inPlace = false,
): Promise<ConvertedDatagrp> {
  const parts: ReturnType<typeof convertShard>[] = [];
  for (const [i, file] of files.entries()) {
    const progress = onRead && ((done: number, size: number) => onRead(file, done, size));
    parts.push(convertShard(await readPythonFile(file, { onRead: progress, deferArrays: inPlace }), file, progress));
    onFile?.(file, i);
  }
  const dim = parts.length > 0 ? parts[0].dim : 0;
  for (const part of parts) {
    if (part.dim !== dim) {
      throw new FileFormatError(
        part.stats.file,
        `features have ${part.dim} dims but ${parts[0].stats.file} has ${dim}`,
      );
    }
  }
  const n = parts.reduce((sum, p) => sum + p.stats.n, 0);
  const shards = parts.map((p) => p.stats);
  const labels = parts.length === 1 ? parts[0].labels : new Int32Array(n);
  if (parts.length > 1)
    concatInto(
      labels,
      parts.map((p) => p.labels),
    );
  const places = parts.map((p) => p.feats).filter((f): f is FeaturePlace => !(f instanceof Float32Array));
  if (places.length === parts.length && parts.length > 0) {
    const read = placedRowReader(places, dim, 'the features');
    return withLazyFeats({ labels, n, dim, shards, places }, () => read(0, n));
  }
  // Some shards could not stay in place (another dtype or format): all are converted into memory.
  const arrays = parts.map((p) =>
    p.feats instanceof Float32Array ? p.feats : placedRowReader([p.feats], dim, 'the features')(0, p.stats.n),
  );
  const feats = arrays.length === 1 ? arrays[0] : concatInto(new Float32Array(n * dim), arrays);
  return { feats, labels, n, dim, shards };
}

function concatInto<T extends Float32Array | Int32Array>(out: T, arrays: readonly T[]): T {
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
