import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TensorData } from '../../src-shared/tensor.ts';
import { decodePythonBytes, readPythonFile } from './read.ts';
import { PyBytes, PyDict, PyTuple, type PyValue } from './pyvalue.ts';
import { FileSource } from './source.ts';
import { pickleValue, writePlainPickleWithTensors, writeTorchZip } from './write.ts';
import { readZipDirectory } from './zip.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/formats');
const dir = mkdtempSync(join(tmpdir(), 'alphanet-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dictOf(entries: Record<string, PyValue>, pyClass?: string): PyDict {
  const d = new PyDict(pyClass);
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}

/** One tensor of every dtype, with awkward values (int64 beyond 2**53, negative zero, NaN bits). */
function everyDType(): PyDict {
  return dictOf({
    f32: { dtype: 'float32', shape: [2, 3], data: new Float32Array([1.5, -0, 3, Infinity, -2.25, 1e-30]) },
    f64: { dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -1e300]) },
    f16: { dtype: 'float16', shape: [3], data: new Uint16Array([0x3c00, 0x7e00, 0x8001]) },
    bf16: { dtype: 'bfloat16', shape: [1, 2], data: new Uint16Array([0x3fc0, 0xff80]) },
    i64: { dtype: 'int64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n, -12n]) },
    i32: { dtype: 'int32', shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
    i16: { dtype: 'int16', shape: [2], data: new Int16Array([-32768, 7]) },
    i8: { dtype: 'int8', shape: [2], data: new Int8Array([-128, 127]) },
    u8: { dtype: 'uint8', shape: [2], data: new Uint8Array([0, 255]) },
    bool: { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
    scalar: { dtype: 'float32', shape: [], data: new Float32Array([42]) },
    empty: { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
    none: null,
    labels: [3, 0, 2, 2, 1],
    nested: dictOf({ name: 'ü ok', big: 2n ** 70n, neg: -(2 ** 40), pi: 3.25, t: new PyTuple([1, 'a']) }),
  });
}

describe('writers round-trip through the readers', () => {
  const value = everyDType();
  const cases: Array<[string, (path: string) => Promise<void>]> = [
    ['torch zip', (p) => writeTorchZip(p, value)],
    ['torch zip64', (p) => writeTorchZip(p, value, { forceZip64: true })],
    ['plain pickle p4', (p) => writePlainPickleWithTensors(p, value, { protocol: 4 })],
    ['plain pickle p2', (p) => writePlainPickleWithTensors(p, value, { protocol: 2 })],
  ];
  it.each(cases)('%s', async (name, write) => {
    const path = join(dir, `${name.replace(/ /g, '_')}.bin`);
    await write(path);
    expect(await readPythonFile(path)).toEqual(value);
  });

  it('pickleValue round-trips plain data in protocols 2 and 4', () => {
    const plain: PyValue = [
      -(2 ** 40),
      2n ** 53n + 1n,
      1.5,
      -0,
      'ü',
      new PyBytes(Uint8Array.of(0, 200)),
      new PyTuple([1, 2]),
      dictOf({ a: [true, null] }),
    ];
    for (const protocol of [2, 4] as const)
      expect(decodePythonBytes(pickleValue(plain, protocol), 'x.pkl')).toEqual(plain);
  });

  it('reads large storages into buffers of their own (no copy of the file, aligned views)', async () => {
    const n = 1 << 20;
    const feats: TensorData = {
      dtype: 'float32',
      shape: [n / 4, 4],
      data: Float32Array.from({ length: n }, (_, i) => i),
    };
    const idxs: TensorData = { dtype: 'int64', shape: [3], data: new BigInt64Array([1n, 2n, 3n]) };
    const value = dictOf({ feats, idxs });
    for (const [name, write] of [
      ['zip', (p: string) => writeTorchZip(p, value)],
      ['p4', (p: string) => writePlainPickleWithTensors(p, value)],
    ] as const) {
      const path = join(dir, `big_${name}.bin`);
      await write(path);
      const read = (await readPythonFile(path)) as PyDict;
      const t = read.get('feats') as TensorData;
      expect(t.data.buffer.byteLength).toBe(4 * n);
      // Buffer.compare: a deep toEqual over a million elements is slow.
      expect(Buffer.compare(Buffer.from(t.data.buffer), Buffer.from(feats.data.buffer))).toBe(0);
      expect(read.get('idxs')).toEqual(idxs);
    }
  });
});

describe('writers match what torch and pickle write', () => {
  it.each(['feats_torchsave_zip.pkl', 'clf_state_dict.pth'])(
    'data.pkl of %s is byte-identical to torch.save',
    async (name) => {
      const fixture = join(FIXTURES, name);
      const ours = join(dir, name);
      await writeTorchZip(ours, await readPythonFile(fixture));
      const [a, b] = [FileSource.open(fixture), FileSource.open(ours)];
      const [ea, eb] = [readZipDirectory(a), readZipDirectory(b)];
      expect(eb.map((e) => [e.name, e.size, e.method])).toEqual(ea.map((e) => [e.name, e.size, e.method]));
      expect(eb[0].read(b)).toEqual(ea[0].read(a));
      // Storages start at multiples of 64 bytes, as torch's writer places them.
      const bytes = readFileSync(ours);
      for (const e of eb) {
        const dataStart =
          e.localHeaderOffset +
          30 +
          bytes.readUInt16LE(e.localHeaderOffset + 26) +
          bytes.readUInt16LE(e.localHeaderOffset + 28);
        expect(dataStart % 64).toBe(0);
      }
      a.close();
      b.close();
    },
  );

  const python = spawnSync('python3', ['-c', 'import pickletools'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!python).each([
    ['feats_pickle_torch_p2.pkl', 2],
    ['feats_pickle_torch_p4.pkl', 4],
  ] as const)('%s and ours have the same pickle opcodes (pickletools)', async (name, protocol) => {
    const ours = join(dir, `ops_${name}`);
    await writePlainPickleWithTensors(ours, await readPythonFile(join(FIXTURES, name)), { protocol });
    const script =
      'import pickletools,sys\nfor f in sys.argv[1:]: print(" ".join(o.name for o,a,p in pickletools.genops(open(f,"rb").read())))';
    const out = spawnSync('python3', ['-c', script, join(FIXTURES, name), ours], { encoding: 'utf8' });
    const [theirs, mine] = out.stdout.trim().split('\n');
    expect(mine).toBe(theirs);
  });

  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!torch)('torch.load and pickle.load read our files (python3-torch)', async () => {
    const value = dictOf({
      feats: { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      idxs: { dtype: 'int64', shape: [2], data: new BigInt64Array([-12n, 2n ** 40n]) },
      bias: null,
      labels: [1, 0],
    });
    const zip = join(dir, 'torch_check.pth');
    const p2 = join(dir, 'torch_check_p2.pkl');
    const p4 = join(dir, 'torch_check_p4.pkl');
    await writeTorchZip(zip, value);
    await writeTorchZip(`${zip}64`, value, { forceZip64: true });
    await writePlainPickleWithTensors(p2, value, { protocol: 2 });
    await writePlainPickleWithTensors(p4, value, { protocol: 4 });
    const script = [
      'import sys, pickle, torch',
      'for f in sys.argv[1:]:',
      '    d = torch.load(f) if f.endswith(("pth", "pth64")) else pickle.load(open(f, "rb"))',
      '    print(d["feats"].tolist(), d["idxs"].tolist(), d["bias"], d["labels"])',
    ].join('\n');
    const out = spawnSync('/usr/bin/python3', ['-c', script, zip, `${zip}64`, p2, p4], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const line = '[[1.0, 2.0], [3.0, 4.0]] [-12, 1099511627776] None [1, 0]';
    expect(out.stdout.trim().split('\n')).toEqual([line, line, line, line]);
  });
});

describe('large values', () => {
  it('decodes the latin-1 text of a large protocol-2 storage straight to aligned bytes (no copy of the storage)', async () => {
    const n = 1 << 19;
    const feats: TensorData = {
      dtype: 'float32',
      shape: [n],
      data: Float32Array.from({ length: n }, (_, i) => i - 7.5),
    };
    const path = join(dir, 'big_p2.pkl');
    await writePlainPickleWithTensors(path, dictOf({ feats }), { protocol: 2 });
    const t = ((await readPythonFile(path)) as PyDict).get('feats') as TensorData;
    expect(
      Buffer.compare(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), Buffer.from(feats.data.buffer)),
    ).toBe(0);
    // A view into the decoded blob, not a copy of its own.
    expect(t.data.buffer.byteLength).toBeGreaterThan(4 * n);
  });

  it('loads large bytes values before the file is closed', async () => {
    const blob = new PyBytes(Uint8Array.from({ length: 3 << 20 }, (_, i) => i % 251));
    const path = join(dir, 'big_bytes.pkl');
    await writePlainPickleWithTensors(path, dictOf({ blob, again: blob }), { protocol: 4 });
    const read = (await readPythonFile(path)) as PyDict;
    const got = read.get('blob') as PyBytes;
    expect(read.get('again')).toBe(got);
    expect(Buffer.compare(Buffer.from(got.bytes), Buffer.from(blob.bytes))).toBe(0);
  });
});
