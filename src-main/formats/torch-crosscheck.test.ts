import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorToNumberArray } from './convert.ts';
import { deferredRange, readPythonFile } from './read.ts';
import { isTensor, PyDict, type PyValue } from './pyvalue.ts';

/**
 * Cross-check against files torch and numpy write right now (Debian's python3-torch), beyond the
 * fixed fixtures: every dtype, strided / offset / expanded / 0-d / empty views, Parameters, numpy
 * byte orders and Fortran order, in every container format. Skipped where python3-torch is missing.
 */
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'alphanet-crosscheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = String.raw`
import json, pickle, sys, os
import numpy as np, torch
out = sys.argv[1]
base = torch.arange(24, dtype=torch.float32) / 4 - 2
t = {
  'f32': base.reshape(4, 6),
  'f64': base.double().reshape(2, 12),
  'f16': base.half(),
  'bf16': base.bfloat16().reshape(3, 8),
  'i64': torch.tensor([-2**62, 2**53 + 1, -12, 0], dtype=torch.int64),
  'i32': torch.tensor([-2**31, 2**31 - 1], dtype=torch.int32),
  'i16': torch.tensor([-32768, 7], dtype=torch.int16),
  'i8': torch.tensor([-128, 127], dtype=torch.int8),
  'u8': torch.tensor([0, 255], dtype=torch.uint8),
  'bool': torch.tensor([True, False, True]),
  'transposed': base.reshape(4, 6).t(),
  'sliced': base.reshape(4, 6)[1:, ::2],
  'expanded': torch.tensor([[1.0, 2.0, 3.0]]).expand(4, 3),
  'scalar': torch.tensor(2.5),
  'empty': torch.zeros(0, 3),
  'param': torch.nn.Parameter(base[:5].clone()),
}
n = {
  'c': np.arange(12, dtype=np.float32).reshape(3, 4),
  'fortran': np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)),
  'big_endian': np.arange(5, dtype='>f8'),
  'big_i4': np.array([-5, 70000], dtype='>i4'),
  'i64': np.array([-12, 2**40], dtype=np.int64),
  'u8': np.array([0, 255], dtype=np.uint8),
  'b1': np.array([True, False]),
  'f16': np.array([1.5, -2.0], dtype=np.float16),
  'u2': np.array([65535, 3], dtype=np.uint16),
  'u4': np.array([2**32 - 1, 3], dtype=np.uint32),
}
def desc(x):
  if isinstance(x, torch.Tensor):
    v = x.detach()
    vals = v.float().reshape(-1).tolist() if v.dtype in (torch.float16, torch.bfloat16) else v.reshape(-1).tolist()
    return {'shape': list(v.shape), 'values': [int(a) if isinstance(a, bool) else a for a in vals]}
  return {'shape': list(x.shape), 'values': [int(a) if isinstance(a, (bool, np.bool_)) else a for a in x.reshape(-1).tolist()]}
json.dump({'torch': {k: desc(v) for k, v in t.items()}, 'numpy': {k: desc(v) for k, v in n.items()}}, open(os.path.join(out, 'expected.json'), 'w'))
torch.save(t, os.path.join(out, 'torch_zip.pth'))
torch.save(t, os.path.join(out, 'torch_legacy.pth'), _use_new_zipfile_serialization=False)
for p in (2, 4, 5):
  pickle.dump(t, open(os.path.join(out, f'torch_p{p}.pkl'), 'wb'), protocol=p)
  pickle.dump(n, open(os.path.join(out, f'numpy_p{p}.pkl'), 'wb'), protocol=p)
np.savez(os.path.join(out, 'numpy.npz'), **n)
np.savez_compressed(os.path.join(out, 'numpy_compressed.npz'), **n)
for k, v in n.items(): np.save(os.path.join(out, f'npy_{k}.npy'), v)
torch.save(t['param'], os.path.join(out, 'param.pth'))
`;

interface Described {
  shape: number[];
  values: number[];
}

function check(value: PyValue | undefined, want: Described, what: string): void {
  expect(isTensor(value), what).toBe(true);
  if (!isTensor(value)) return;
  expect(value.shape, what).toEqual(want.shape);
  // int64 beyond 2**53 arrive from JSON rounded to doubles; compare those as doubles too.
  const got = value.dtype === 'int64' ? Array.from(value.data as BigInt64Array, Number) : tensorToNumberArray(value);
  expect(got, what).toEqual(want.values);
}

describe.skipIf(!hasTorch)('files written by torch and numpy now (python3-torch)', () => {
  const made = hasTorch ? spawnSync(PYTHON, ['-c', SCRIPT, dir], { encoding: 'utf8' }) : null;
  const expected =
    made?.status === 0
      ? (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
          'torch' | 'numpy',
          Record<string, Described>
        >)
      : null;

  it('the generator ran', () => {
    expect(made?.stderr ?? '').toBe('');
    expect(expected).not.toBeNull();
  });

  it.each(['torch_zip.pth', 'torch_legacy.pth', 'torch_p2.pkl', 'torch_p4.pkl', 'torch_p5.pkl'])(
    '%s: every dtype and view',
    async (name) => {
      const d = (await readPythonFile(join(dir, name))) as PyDict;
      for (const [key, want] of Object.entries(expected?.torch ?? {})) check(d.get(key), want, `${name}:${key}`);
    },
  );

  it.each(['numpy_p2.pkl', 'numpy_p4.pkl', 'numpy_p5.pkl', 'numpy.npz', 'numpy_compressed.npz'])(
    '%s: dtypes, byte orders, Fortran order',
    async (name) => {
      const d = (await readPythonFile(join(dir, name))) as PyDict;
      for (const [key, want] of Object.entries(expected?.numpy ?? {})) check(d.get(key), want, `${name}:${key}`);
    },
  );

  it('.npy files of every kind, and a bare Parameter', async () => {
    for (const [key, want] of Object.entries(expected?.numpy ?? {}))
      check(await readPythonFile(join(dir, `npy_${key}.npy`)), want, key);
    check(await readPythonFile(join(dir, 'param.pth')), expected?.torch.param as Described, 'param');
  });
});

const LARGE_SCRIPT = String.raw`
import pickle, sys, os
import numpy as np, torch
out = sys.argv[1]
g = torch.Generator().manual_seed(0)
big = torch.randn(700, 512, generator=g)
t = {
  'f32': big,
  'rows': big[100:500],
  'transposed': big.t(),
  'f64': big.double()[:400],
  'labels': torch.arange(700),
}
n = {
  'c': big.numpy(),
  'fortran': np.asfortranarray(big.numpy()),
  'big_endian': big.numpy().astype('>f4'),
}
torch.save(t, os.path.join(out, 'large_zip.pth'))
torch.save(t, os.path.join(out, 'large_legacy.pth'), _use_new_zipfile_serialization=False)
for p in (2, 4, 5):
  pickle.dump(t, open(os.path.join(out, f'large_torch_p{p}.pkl'), 'wb'), protocol=p)
  pickle.dump(n, open(os.path.join(out, f'large_numpy_p{p}.pkl'), 'wb'), protocol=p)
`;

describe.skipIf(!hasTorch)('large arrays left in place (deferArrays) in files torch and numpy write now', () => {
  const made = hasTorch ? spawnSync(PYTHON, ['-c', LARGE_SCRIPT, dir], { encoding: 'utf8' }) : null;

  it('the generator ran', () => expect(made?.stderr ?? '').toBe(''));

  /** Files and the arrays in them that stay in place: float32/float64 in C order and little-endian, above DEFER_MIN_BYTES. */
  it.each([
    ['large_zip.pth', ['f32', 'rows', 'f64']],
    ['large_legacy.pth', ['f32', 'rows', 'f64']],
    ['large_torch_p2.pkl', []],
    ['large_torch_p4.pkl', ['f32', 'rows', 'f64']],
    ['large_torch_p5.pkl', ['f32', 'rows', 'f64']],
    ['large_numpy_p2.pkl', []],
    ['large_numpy_p4.pkl', ['c']],
    ['large_numpy_p5.pkl', []],
  ])('%s: the same arrays, read in place where they can be', async (name, placed) => {
    const eager = (await readPythonFile(join(dir, name))) as PyDict;
    const lazy = (await readPythonFile(join(dir, name), { deferArrays: true })) as PyDict;
    const inPlace: string[] = [];
    for (const [key, want] of eager.entries) {
      const got = lazy.get(key);
      if (!isTensor(want) || !isTensor(got)) throw new Error(`${name}:${String(key)} is not an array`);
      if (deferredRange(got)) inPlace.push(String(key));
      expect(got.shape, `${name}:${String(key)}`).toEqual(want.shape);
      const bytes = (t: typeof want) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      expect(bytes(got).equals(bytes(want)), `${name}:${String(key)}`).toBe(true);
    }
    expect(inPlace.sort()).toEqual([...placed].sort());
  });
});
