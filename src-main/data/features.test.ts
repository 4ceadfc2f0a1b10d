import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../src-shared/tensor.ts';
import { PyDict, PyTuple, type PyValue } from '../formats/pyvalue.ts';
import { writePlainPickleWithTensors } from '../formats/write.ts';
import { convertShard, naturalCompare, readShards } from './features.ts';

function dict(entries: Record<string, PyValue>): PyDict {
  const d = new PyDict();
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}
const f32 = (shape: number[], values: number[]): TensorData => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});
const f64 = (shape: number[], values: number[]): TensorData => ({
  dtype: 'float64',
  shape,
  data: Float64Array.from(values),
});
const i64 = (values: number[]): TensorData => ({
  dtype: 'int64',
  shape: [values.length],
  data: BigInt64Array.from(values.map(BigInt)),
});

describe('naturalCompare', () => {
  it('orders numbered shards numerically and is total', () => {
    const names = [
      'train_10.pkl',
      'train_2.pkl',
      'train.pkl',
      'train_1.pkl',
      'train_01.pkl',
      'train_b.pkl',
      'train_a.pkl',
    ];
    expect([...names].sort(naturalCompare)).toEqual([
      'train.pkl',
      'train_01.pkl',
      'train_1.pkl',
      'train_2.pkl',
      'train_10.pkl',
      'train_a.pkl',
      'train_b.pkl',
    ]);
    expect(naturalCompare('x', 'x')).toBe(0);
  });
});

describe('convertShard', () => {
  it('converts float64 numpy feats, list labels and identity idxs', () => {
    const shard = convertShard(
      dict({ feats: f64([2, 3], [1, 2, 3, 4, 5, 6]), labels: [1, 0], idxs: i64([0, 1]) }),
      's.pkl',
    );
    expect(shard.feats).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(Array.from(shard.labels)).toEqual([1, 0]);
    expect(shard.dim).toBe(3);
    expect(shard.stats).toEqual({ file: 's.pkl', n: 2, nanCount: 0, infCount: 0, idxsIdentity: true, otherKeys: [] });
  });

  it('accepts int64 tensor labels, notes non-identity idxs, counts NaN and Inf, lists other keys', () => {
    const shard = convertShard(
      dict({
        feats: f32([2, 2], [NaN, Infinity, -Infinity, NaN]),
        labels: i64([3, 4]),
        idxs: new PyTuple([1, 0]),
        extra: 'x',
      }),
      's.pkl',
    );
    expect(Array.from(shard.labels)).toEqual([3, 4]);
    expect(shard.stats).toMatchObject({ nanCount: 2, infCount: 2, idxsIdentity: false, otherKeys: ["'extra'"] });
  });

  it('names the keys found when feats/labels are missing', () => {
    expect(() => convertShard(dict({ features: f32([1, 1], [0]), targets: [0] }), 'bad.pkl')).toThrow(
      "bad.pkl: expected a dict with keys 'feats', 'labels' (and optionally 'idxs'); found keys: 'features', 'targets'",
    );
    expect(() => convertShard([1, 2], 'list.pkl')).toThrow(/list\.pkl: expected a dict .* found a list of 2/);
  });

  it('rejects a length mismatch, 1-D or integer feats and non-integer labels, naming the file', () => {
    expect(() => convertShard(dict({ feats: f32([3, 1], [0, 0, 0]), labels: [0, 1] }), 'm.pkl')).toThrow(
      "m.pkl: 'feats' has 3 rows but 'labels' has 2 entries",
    );
    expect(() => convertShard(dict({ feats: f32([3], [0, 0, 0]), labels: [0, 1, 2] }), 'r.pkl')).toThrow(
      /r\.pkl: 'feats' must be 2-D/,
    );
    expect(() => convertShard(dict({ feats: i64([1]), labels: [0] }), 'i.pkl')).toThrow(/i\.pkl: 'feats' must be 2-D/);
    expect(() =>
      convertShard(dict({ feats: { dtype: 'int32', shape: [1, 1], data: Int32Array.of(1) }, labels: [0] }), 'i.pkl'),
    ).toThrow(/must hold floats, found dtype int32/);
    expect(() => convertShard(dict({ feats: f32([1, 1], [0]), labels: [0.5] }), 'l.pkl')).toThrow(
      /l\.pkl: 'labels': entry 0 .* not an integer/,
    );
    expect(() => convertShard(dict({ feats: f32([1, 1], [0]), labels: 'abc' }), 'l.pkl')).toThrow(
      /expected a list of ints/,
    );
  });
});

describe('readShards', () => {
  const FORMATS = path.resolve(import.meta.dirname, '../../test/fixtures/formats');
  const expected = JSON.parse(fs.readFileSync(path.join(FORMATS, 'expected.json'), 'utf8')) as {
    feats: number[][];
    labels: number[];
  };
  const kinds = [
    'numpy_p2',
    'numpy_p4',
    'numpy_p5',
    'torch_p2',
    'torch_p4',
    'torch_p5',
    'torchsave_zip',
    'torchsave_legacy',
  ];

  it.each(kinds)('reads feats_%s.pkl (idxs with -12 and 2**40: not the identity)', async (kind) => {
    const data = await readShards([
      path.join(FORMATS, `feats_pickle_${kind}.pkl`).replace('pickle_torchsave', 'torchsave'),
    ]);
    expect([data.n, data.dim]).toEqual([5, 4]);
    expect(Array.from(data.feats)).toEqual(expected.feats.flat());
    expect(Array.from(data.labels)).toEqual(expected.labels);
    expect(data.shards[0].idxsIdentity).toBe(false);
  });

  it('concatenates shards in the given order and refuses a differing dim', async () => {
    const file = path.join(FORMATS, 'feats_pickle_numpy_p4.pkl');
    const two = await readShards([file, path.join(FORMATS, 'feats_pickle_torch_p2.pkl')]);
    expect(two.n).toBe(10);
    expect(Array.from(two.labels)).toEqual([...expected.labels, ...expected.labels]);
    expect(two.shards.map((s) => s.n)).toEqual([5, 5]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-shards-'));
    const wide = path.join(dir, 'train_2.pkl');
    await writePlainPickleWithTensors(wide, dict({ feats: f32([1, 3], [1, 2, 3]), labels: [0] }));
    await expect(readShards([file, wide])).rejects.toThrow(`${wide}: features have 3 dims but ${file} has 4`);
    fs.rmSync(dir, { recursive: true });
  });

  it('reports a missing shard file by name', async () => {
    await expect(readShards(['/nonexistent/train.pkl'])).rejects.toThrow(/\/nonexistent\/train\.pkl/);
  });
});
