import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, TensorData } from '../../src-shared/tensor.ts';
import { TINYLT } from '../../test/support/tinylt.ts';
import { FileFormatError } from '../errors.ts';
import { DEFER_MIN_BYTES } from '../formats/deferred.ts';
import { PyDict } from '../formats/pyvalue.ts';
import { deferredRange, readPythonFile } from '../formats/read.ts';
import { writePlainPickleWithTensors, writeTorchZip } from '../formats/write.ts';
import { openCachedDatagrp } from './cache.ts';
import { datagrpSources, loadDatagrp, resolveDataset } from './dataset.ts';
import { readShards } from './features.ts';

/**
 * Float32 features stored in torch zip files stay in their files: the cache records where they lie
 * and holds only the labels. Sizes are above DEFER_MIN_BYTES (smaller arrays are simply read).
 */
const DIM = 96;
const ROWS = [3000, 2900];

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-in-place-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Seeded values (a small LCG) with a NaN and an infinity in the second shard. */
function feats(rows: number, shard: number, dtype: DType = 'float32'): TensorData {
  const values = new Float64Array(rows * DIM);
  let x = 12345 + shard;
  for (let i = 0; i < values.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    values[i] = x / 2147483648 - 0.5;
  }
  if (shard === 1) {
    values[7] = NaN;
    values[DIM * 10 + 3] = -Infinity;
  }
  return dtype === 'float64'
    ? { dtype, shape: [rows, DIM], data: values }
    : { dtype: 'float32', shape: [rows, DIM], data: Float32Array.from(values) };
}

function shard(rows: number, index: number, dtype?: DType): PyDict {
  const d = new PyDict();
  d.entries.set('feats', feats(rows, index, dtype));
  d.entries.set('labels', {
    dtype: 'int64',
    shape: [rows],
    data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 7)),
  });
  return d;
}

/** A feature folder with two train shards (the second in `secondDtype`), written by `write`. */
async function folder(
  name: string,
  secondDtype: DType = 'float32',
  write: (file: string, value: PyDict) => Promise<void> = writeTorchZip,
): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  await write(path.join(dir, 'train_1.pkl'), shard(ROWS[0], 0));
  await write(path.join(dir, 'train_2.pkl'), shard(ROWS[1], 1, secondDtype));
  return dir;
}

/** Bitwise equality (NaN included), fast on arrays of a million floats. */
function bytesOf(a: Float32Array | undefined): Buffer {
  if (!a) throw new Error('no array');
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const specFor = (featureFilesDir: string) => ({
  ...resolveDataset('tinylt_synth', path.join(TINYLT, 'datasets.toml')),
  featureFilesDir,
});

describe('features kept in place', () => {
  it('reads a deferred array on first use, and says where it lies', async () => {
    const dir = await folder('deferred');
    const file = path.join(dir, 'train_1.pkl');
    expect(ROWS[0] * DIM * 4).toBeGreaterThan(DEFER_MIN_BYTES);
    const eager = (await readPythonFile(file)) as PyDict;
    const lazy = (await readPythonFile(file, { deferArrays: true })) as PyDict;
    const t = lazy.get('feats') as TensorData;
    const range = deferredRange(t);
    expect(range).toMatchObject({ file, fileSize: fs.statSync(file).size });
    expect(deferredRange(eager.get('feats') as TensorData)).toBeNull();
    expect(Object.keys(t)).not.toContain('data');
    expect(
      bytesOf(t.data as Float32Array).equals(bytesOf((eager.get('feats') as TensorData).data as Float32Array)),
    ).toBe(true);
    // The labels are small: read at once.
    expect(deferredRange(lazy.get('labels') as TensorData)).toBeNull();
  });

  it('loads the same rows, labels and NaN/∞ counts as converting them, and caches only the labels', async () => {
    const dir = await folder('same');
    const spec = specFor(dir);
    const sources = datagrpSources(spec, 'train');
    const memory = await readShards(sources.map((s) => s.path));
    expect(memory.places).toBeUndefined();
    const cacheDir = path.join(tmp, 'cache-same');
    const cold = await loadDatagrp(spec, 'train', sources, cacheDir, undefined, true);
    expect(cold.cached).toBe(false);
    const placed = await readShards(
      sources.map((s) => s.path),
      undefined,
      undefined,
      true,
    );
    expect(placed.places?.map((p) => [p.file, p.n])).toEqual(sources.map((s, i) => [s.path, ROWS[i]]));
    const warm = await loadDatagrp(spec, 'train', sources, cacheDir, undefined, true);
    expect(warm.cached).toBe(true);
    const n = ROWS[0] + ROWS[1];
    for (const loaded of [cold, warm]) {
      const opened = loaded.opened;
      if (!opened) throw new Error('not opened lazily');
      expect(opened.labels).toEqual(memory.labels);
      expect(opened.shards).toEqual(memory.shards);
      expect(opened.shards.map((s) => [s.nanCount, s.infCount])).toEqual([
        [0, 0],
        [1, 1],
      ]);
      expect(bytesOf(opened.readFeats()).equals(bytesOf(memory.feats))).toBe(true);
      // Rows across the shards' boundary, into a reused buffer.
      const into = new Float32Array(40 * DIM);
      expect(
        bytesOf(opened.readRows(ROWS[0] - 15, 30, into)).equals(
          bytesOf(memory.feats.subarray((ROWS[0] - 15) * DIM, (ROWS[0] + 15) * DIM)),
        ),
      ).toBe(true);
      expect(() => opened.readRows(n - 1, 2)).toThrow(RangeError);
    }
    const entries = fs.readdirSync(path.join(cacheDir, 'features'), { recursive: true }) as string[];
    const data = entries.find((e) => e.endsWith('data.bin'));
    expect(fs.statSync(path.join(cacheDir, 'features', data as string)).size).toBe(n * 4);
    // An eager load from the entry reads the same features.
    const eager = await loadDatagrp(spec, 'train', sources, cacheDir);
    expect(eager.cached).toBe(true);
    expect(bytesOf(eager.data.feats).equals(bytesOf(memory.feats))).toBe(true);
  });

  it.each([2, 4] as const)(
    "reads plain pickles of torch tensors (the original's format, protocol %i) in place from protocol 3 on",
    async (protocol) => {
      const dir = await folder(`plain-${protocol}`, 'float32', (file, value) =>
        writePlainPickleWithTensors(file, value, { protocol }),
      );
      const files = datagrpSources(specFor(dir), 'train').map((s) => s.path);
      const placed = await readShards(files, undefined, undefined, true);
      // Protocol 2 writes bytes as latin-1 text, decoded into memory: nothing is left in place.
      expect(placed.places?.length).toBe(protocol >= 3 ? 2 : undefined);
      expect(bytesOf(placed.feats).equals(bytesOf((await readShards(files)).feats))).toBe(true);
    },
  );

  it('converts every shard when one cannot stay in place (float64)', async () => {
    const dir = await folder('mixed', 'float64');
    const spec = specFor(dir);
    const sources = datagrpSources(spec, 'train');
    const cacheDir = path.join(tmp, 'cache-mixed');
    const loaded = await loadDatagrp(spec, 'train', sources, cacheDir, undefined, true);
    expect(loaded.data.places).toBeUndefined();
    const memory = await readShards(sources.map((s) => s.path));
    expect(bytesOf(loaded.opened?.readFeats()).equals(bytesOf(memory.feats))).toBe(true);
    expect(loaded.opened?.shards.map((s) => [s.nanCount, s.infCount])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('names the source file when it changed after the load, and misses the cache entry next time', async () => {
    const dir = await folder('changed');
    const spec = specFor(dir);
    const sources = datagrpSources(spec, 'train');
    const cacheDir = path.join(tmp, 'cache-changed');
    const loaded = await loadDatagrp(spec, 'train', sources, cacheDir, undefined, true);
    const second = path.join(dir, 'train_2.pkl');
    await writeTorchZip(second, shard(ROWS[1] - 100, 1));
    expect(() => loaded.opened?.readRows(ROWS[0], 2)).toThrow(FileFormatError);
    expect(() => loaded.opened?.readRows(ROWS[0], 2)).toThrow(`${second}: the features of 'train' changed or vanished`);
    // The first shard is unchanged: its rows still read.
    expect(loaded.opened?.readRows(0, 2)).toHaveLength(2 * DIM);
    expect(openCachedDatagrp(cacheDir, dir, 'train', datagrpSources(spec, 'train'))).toBeNull();
  });
});
