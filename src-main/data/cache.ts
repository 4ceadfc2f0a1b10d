import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_HEADROOM_BYTES, hasRoomFor, readFileRange } from '../files.ts';
import { fingerprintOf, type SourceStamp } from './fingerprint.ts';
import {
  placedRowReader,
  type ConvertedDatagrp,
  type FeaturePlace,
  type RowReader,
  type ShardStats,
} from './features.ts';

/**
 * The converted cache: a datagrp's features and labels as one raw little-endian file (float32 rows,
 * then int32 labels) plus a JSON manifest, so a later load is a single read instead of pickle
 * parsing. Features that can be read in place from their source files (float32 arrays stored in torch
 * zip files) are not copied: the manifest records where they lie and the file holds only the labels.
 * Entries live in `<root>/features/<dataset folder + datagrp>/<key>/`, where the key hashes every
 * source shard's path, size, mtime and end bytes: a changed source gives a new key (the stale sibling
 * is removed when the new one is written). Writes go to a temp folder renamed into place, so a crash
 * leaves either no entry or a whole one.
 */
const FORMAT = 'alphanet-features-v2';
const DATA_FILE = 'data.bin';
const MANIFEST_FILE = 'manifest.json';
const STALE_TEMP_MS = 60 * 60 * 1000;
/** fs.writeSync moves at most 2 GiB per call. */
const WRITE_CHUNK = 1 << 30;

interface Manifest {
  format: typeof FORMAT;
  key: string;
  datagrp: string;
  n: number;
  dim: number;
  byteLength: number;
  shards: ShardStats[];
  sources: SourceStamp[];
  /** The features' places in the sources (then the data file holds only the labels). */
  places?: FeaturePlace[];
}

function groupDir(root: string, featureDir: string, datagrp: string): string {
  const id = createHash('sha256').update(`${featureDir}\0${datagrp}`).digest('hex').slice(0, 16);
  return path.join(root, 'features', `${datagrp.replace(/[^\w.-]/g, '_')}-${id}`);
}

export function cacheKey(datagrp: string, sources: readonly SourceStamp[]): string {
  return fingerprintOf(sources, `${FORMAT}\0${datagrp}`).slice(0, 32);
}

/** Bytes of the data file: the features (unless they stay in place) and the labels. */
function dataBytes(n: number, dim: number, inPlace: boolean): number {
  return ((inPlace ? 0 : n * dim) + n) * 4;
}

/** Places that cover the manifest's rows, each in one of its (stamped) source files. */
function placesFit(m: Partial<Manifest>): boolean {
  if (m.places === undefined) return true;
  const sources = new Set((m.sources ?? []).map((s) => `${s.path}\0${s.size}`));
  return (
    Array.isArray(m.places) &&
    m.places.reduce((sum, p) => sum + p.n, 0) === m.n &&
    m.places.every(
      (p) => Number.isSafeInteger(p.n) && Number.isSafeInteger(p.byteOffset) && sources.has(`${p.file}\0${p.fileSize}`),
    )
  );
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
    Array.isArray(m.sources) &&
    m.byteLength === dataBytes(m.n as number, m.dim as number, m.places !== undefined) &&
    Array.isArray(m.shards) &&
    placesFit(m)
  );
}

/** A reader of the entry's feature rows: from the sources in place, or from the data file (its first n·dim floats). */
function rowReader(manifest: Manifest, file: string): RowReader {
  const { n, dim, byteLength, datagrp } = manifest;
  if (manifest.places) return placedRowReader(manifest.places, dim, `the features of '${datagrp}'`);
  return placedRowReader(
    [{ file, fileSize: byteLength, byteOffset: 0, n }],
    dim,
    `the converted features of '${datagrp}'`,
  );
}

/** The manifest of the entry for these sources, or null when there is none (or it is damaged). */
function readManifest(root: string, featureDir: string, datagrp: string, sources: readonly SourceStamp[]) {
  if (os.endianness() !== 'LE') return null;
  const key = cacheKey(datagrp, sources);
  const dir = path.join(groupDir(root, featureDir, datagrp), key);
  try {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    return isManifest(manifest, key, datagrp) ? { manifest, file: path.join(dir, DATA_FILE) } : null;
  } catch {
    return null;
  }
}

/** The entry's labels (the data file's last n·4 bytes), or null when the file is not as recorded. */
function readLabels({ n, byteLength }: Manifest, file: string): Int32Array | null {
  const bytes = readFileRange(file, byteLength, byteLength - n * 4, n * 4);
  return bytes && new Int32Array(bytes.buffer, bytes.byteOffset, n);
}

/** The cached arrays for these sources, or null on a miss (absent, stale or damaged entry). */
export function readCachedDatagrp(
  root: string,
  featureDir: string,
  datagrp: string,
  sources: readonly SourceStamp[],
): ConvertedDatagrp | null {
  const entry = readManifest(root, featureDir, datagrp, sources);
  if (!entry) return null;
  const { manifest, file } = entry;
  const { n, dim, shards } = manifest;
  try {
    const labels = readLabels(manifest, file);
    if (!labels) return null;
    return { feats: rowReader(manifest, file)(0, n), labels, n, dim, shards };
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
  /** Reads the features (n × dim) afresh on every call; throws a FileFormatError if the entry changed since. */
  readFeats(): Float32Array;
  /** Rows start .. start+count, into `into` (its first count·d floats) when given, else a new array. */
  readRows: RowReader;
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
  const entry = readManifest(root, featureDir, datagrp, sources);
  if (!entry) return null;
  const { manifest, file } = entry;
  try {
    const labels = readLabels(manifest, file);
    if (!labels) return null;
    const readRows = rowReader(manifest, file);
    const { n, dim, shards } = manifest;
    return { labels, n, dim, shards, readFeats: () => readRows(0, n), readRows };
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
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(WRITE_CHUNK, bytes.length - done));
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
    const inPlace = data.places !== undefined;
    const bytes = dataBytes(data.n, data.dim, inPlace);
    if (!hasRoomFor(parent, bytes)) {
      return `not enough free space in ${parent} for the converted cache (${bytes} bytes, and ${CACHE_HEADROOM_BYTES} kept free); the next load parses the source files again`;
    }
    fs.mkdirSync(temp, { recursive: true });
    writeAll(path.join(temp, DATA_FILE), inPlace ? [data.labels] : [data.feats, data.labels]);
    const manifest: Manifest = {
      format: FORMAT,
      key,
      datagrp,
      n: data.n,
      dim: data.dim,
      byteLength: bytes,
      shards: data.shards,
      sources: [...sources],
      ...(data.places ? { places: data.places } : {}),
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
