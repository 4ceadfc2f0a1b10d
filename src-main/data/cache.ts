import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileFormatError } from '../errors.ts';
import { CACHE_HEADROOM_BYTES, hasRoomFor } from '../files.ts';
import { fingerprintOf, type SourceStamp } from './fingerprint.ts';
import type { ConvertedDatagrp, ShardStats } from './features.ts';

/**
 * The converted cache: a datagrp's features and labels as one raw little-endian file (float32 rows,
 * then int32 labels) plus a JSON manifest, so a later load is a single read instead of pickle
 * parsing. Entries live in `<root>/features/<dataset folder + datagrp>/<key>/`, where the key hashes
 * every source shard's path, size, mtime and end bytes: a changed source gives a new key (the stale
 * sibling is removed when the new one is written). Writes go to a temp folder renamed into place, so
 * a crash leaves either no entry or a whole one.
 */
const FORMAT = 'alphanet-features-v1';
const DATA_FILE = 'data.bin';
const MANIFEST_FILE = 'manifest.json';
const STALE_TEMP_MS = 60 * 60 * 1000;
/** fs.readSync moves at most 2 GiB per call. */
const READ_CHUNK = 1 << 30;

interface Manifest {
  format: typeof FORMAT;
  key: string;
  datagrp: string;
  n: number;
  dim: number;
  byteLength: number;
  shards: ShardStats[];
  sources: SourceStamp[];
}

function groupDir(root: string, featureDir: string, datagrp: string): string {
  const id = createHash('sha256').update(`${featureDir}\0${datagrp}`).digest('hex').slice(0, 16);
  return path.join(root, 'features', `${datagrp.replace(/[^\w.-]/g, '_')}-${id}`);
}

export function cacheKey(datagrp: string, sources: readonly SourceStamp[]): string {
  return fingerprintOf(sources, `${FORMAT}\0${datagrp}`).slice(0, 32);
}

function isManifest(value: unknown, key: string, datagrp: string): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<Manifest>;
  return (
    m.format === FORMAT &&
    m.key === key &&
    m.datagrp === datagrp &&
    Number.isSafeInteger(m.n) &&
    Number.isSafeInteger(m.dim) &&
    m.byteLength === ((m.n as number) * (m.dim as number) + (m.n as number)) * 4 &&
    Array.isArray(m.shards)
  );
}

/** `length` bytes at `offset` of a file that must be `fileSize` bytes long (null if it is not, or is short). */
/** `length` bytes of `file` at `offset`, into `into` when given (its first `length` bytes), else a new buffer. */
function readRange(
  file: string,
  fileSize: number,
  offset: number,
  length: number,
  into?: Uint8Array,
): ArrayBufferLike | null {
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== fileSize) return null;
    // Uninitialised memory: every byte is overwritten by the read, so zero-filling would be wasted work.
    const bytes = into ?? new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    const buffer = bytes.buffer;
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, bytes, got, Math.min(READ_CHUNK, length - got), offset + got);
      if (n === 0) return null;
      got += n;
    }
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

function readWhole(file: string, expected: number): ArrayBuffer | null {
  return readRange(file, expected, 0, expected) as ArrayBuffer | null;
}

/** The cached arrays for these sources, or null on a miss (absent, stale or damaged entry). */
export function readCachedDatagrp(
  root: string,
  featureDir: string,
  datagrp: string,
  sources: readonly SourceStamp[],
): ConvertedDatagrp | null {
  if (os.endianness() !== 'LE') return null;
  const key = cacheKey(datagrp, sources);
  const dir = path.join(groupDir(root, featureDir, datagrp), key);
  try {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    if (!isManifest(manifest, key, datagrp)) return null;
    const buffer = readWhole(path.join(dir, DATA_FILE), manifest.byteLength);
    if (!buffer) return null;
    const { n, dim } = manifest;
    return {
      feats: new Float32Array(buffer, 0, n * dim),
      labels: new Int32Array(buffer, n * dim * 4, n),
      n,
      dim,
      shards: manifest.shards,
    };
  } catch {
    // Any unreadable entry is simply a miss; it is rewritten below.
    return null;
  }
}

/** A cache entry opened without its features: labels and shard facts now, the features on request. */
export interface OpenedDatagrp {
  labels: Int32Array;
  n: number;
  dim: number;
  shards: ShardStats[];
  /** Reads the features (n × dim) afresh on every call; throws FileFormatError if the entry changed since. */
  readFeats(): Float32Array;
  /** Reads rows start .. start+count only (a fresh array), with the same check. */
  /** Rows start .. start+count, into `into` (its first count·d floats) when given, else a new array. */
  readRows(start: number, count: number, into?: Float32Array): Float32Array;
}

/**
 * Opens a cached entry reading only its labels (the last n·4 bytes): for runs that need the features
 * only when their own caches (pretrained scores, class means) miss. Null on a miss.
 */
export function openCachedDatagrp(
  root: string,
  featureDir: string,
  datagrp: string,
  sources: readonly SourceStamp[],
): OpenedDatagrp | null {
  if (os.endianness() !== 'LE') return null;
  const key = cacheKey(datagrp, sources);
  const dir = path.join(groupDir(root, featureDir, datagrp), key);
  const file = path.join(dir, DATA_FILE);
  try {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    if (!isManifest(manifest, key, datagrp)) return null;
    const { n, dim, byteLength } = manifest;
    const labels = readRange(file, byteLength, n * dim * 4, n * 4);
    if (!labels) return null;
    const readRows = (start: number, count: number, into?: Float32Array): Float32Array => {
      if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= n)) {
        throw new RangeError(`rows ${start}..${start + count} outside 0..${n}`);
      }
      let buffer: ArrayBufferLike | null = null;
      try {
        const target = into && new Uint8Array(into.buffer, into.byteOffset, count * dim * 4);
        buffer = readRange(file, byteLength, start * dim * 4, count * dim * 4, target);
      } catch {
        // Reported below.
      }
      if (!buffer)
        throw new FileFormatError(
          file,
          `the converted features of '${datagrp}' changed or vanished since the dataset was loaded; load it again`,
        );
      return into ? into.subarray(0, count * dim) : new Float32Array(buffer);
    };
    return {
      labels: new Int32Array(labels),
      n,
      dim,
      shards: manifest.shards,
      readFeats: () => readRows(0, n),
      readRows,
    };
  } catch {
    return null;
  }
}

function writeAll(file: string, parts: ArrayBufferView[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const part of parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(READ_CHUNK, bytes.length - done));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes an entry and drops stale ones for the same dataset folder and datagrp. Returns a warning
 * instead of throwing when the cache cannot be written (the load itself has succeeded).
 */
export function writeCachedDatagrp(
  root: string,
  featureDir: string,
  datagrp: string,
  sources: readonly SourceStamp[],
  data: ConvertedDatagrp,
): string | null {
  if (os.endianness() !== 'LE') return null;
  const key = cacheKey(datagrp, sources);
  const parent = groupDir(root, featureDir, datagrp);
  const final = path.join(parent, key);
  const temp = path.join(parent, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    const bytes = data.feats.byteLength + data.labels.byteLength;
    if (!hasRoomFor(parent, bytes)) {
      return `not enough free space in ${parent} for the converted cache (${bytes} bytes, and ${CACHE_HEADROOM_BYTES} kept free); the next load parses the source files again`;
    }
    fs.mkdirSync(temp, { recursive: true });
    writeAll(path.join(temp, DATA_FILE), [data.feats, data.labels]);
    const manifest: Manifest = {
      format: FORMAT,
      key,
      datagrp,
      n: data.n,
      dim: data.dim,
      byteLength: data.feats.byteLength + data.labels.byteLength,
      shards: data.shards,
      sources: [...sources],
    };
    fs.writeFileSync(path.join(temp, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
    // An entry already at `final` was unreadable (we are here after a miss): move it aside first.
    if (fs.existsSync(final)) fs.renameSync(final, `${temp}-old`);
    try {
      fs.renameSync(temp, final);
    } catch (error) {
      // Another process wrote the same entry in between: theirs is as good as ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM') throw error;
      fs.rmSync(temp, { recursive: true, force: true });
    }
    fs.rmSync(`${temp}-old`, { recursive: true, force: true });
    for (const entry of fs.readdirSync(parent)) {
      const full = path.join(parent, entry);
      // A temp folder may belong to a concurrent writer; one an hour old was left by a crash.
      const stale = entry.startsWith('.tmp-') ? Date.now() - fs.statSync(full).mtimeMs > STALE_TEMP_MS : entry !== key;
      if (stale) fs.rmSync(full, { recursive: true, force: true });
    }
    return null;
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    return `could not write the converted cache in ${parent} (${(error as Error).message}); the next load parses the source files again`;
  }
}
