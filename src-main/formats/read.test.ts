import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { tensorToNumberArray, toFloat32, toIntArray } from './convert.ts';
import { decodePythonBytes, readPythonFile } from './read.ts';
import { pickleValue } from './write.ts';
import { isTensor, PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from './pyvalue.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/formats');
const TINYLT = join(import.meta.dirname, '../../test/fixtures/tinylt');
const fixture = (name: string) => join(FIXTURES, name);
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as {
  feats: number[][];
  labels: number[];
  idxs: number[];
  view_t: number[][];
  weight: number[][];
  bias: number[];
};

/** A tensor as nested JS arrays of numbers, for comparison with expected.json. */
function nested(t: PyValue | undefined): unknown {
  if (!isTensor(t)) throw new Error(`not a tensor: ${String(t)}`);
  const flat = tensorToNumberArray(t);
  const build = (dim: number, offset: number): unknown => {
    if (dim === t.shape.length) return flat[offset];
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: t.shape[dim] }, (_, i) => build(dim + 1, offset + i * step));
  };
  return build(0, 0);
}

function dict(v: PyValue): PyDict {
  if (!(v instanceof PyDict)) throw new Error('not a dict');
  return v;
}

const FEATURE_FILES = [
  'feats_torchsave_zip.pkl',
  'feats_torchsave_legacy.pkl',
  'feats_pickle_torch_p2.pkl',
  'feats_pickle_torch_p4.pkl',
  'feats_pickle_torch_p5.pkl',
  'feats_pickle_numpy_p2.pkl',
  'feats_pickle_numpy_p4.pkl',
  'feats_pickle_numpy_p5.pkl',
];

describe('readPythonFile on the torch/numpy fixtures', () => {
  it.each(FEATURE_FILES)('%s holds feats, labels and idxs exactly', async (name) => {
    const d = dict(await readPythonFile(fixture(name)));
    const feats = d.get('feats') as TensorData;
    expect(feats.dtype).toBe('float32');
    expect(feats.shape).toEqual([5, 4]);
    expect(nested(feats)).toEqual(expected.feats);
    expect(d.get('labels')).toEqual(expected.labels);
    const idxs = d.get('idxs') as TensorData;
    expect(idxs.dtype).toBe('int64');
    expect(Array.from(idxs.data as BigInt64Array)).toEqual(expected.idxs.map(BigInt));
    expect(toIntArray(idxs, name, 'idxs')).toEqual(expected.idxs);
  });

  it('materialises the strided, offset view in view_torchsave_zip.pt in C order', async () => {
    const t = dict(await readPythonFile(fixture('view_torchsave_zip.pt'))).get('t') as TensorData;
    expect(t.shape).toEqual([5, 2]);
    expect(nested(t)).toEqual(expected.view_t);
  });

  it.each(['clf.pth', 'clf_state_dict.pth', 'clf.safetensors'])('%s holds weight and bias', async (name) => {
    const d = dict(await readPythonFile(fixture(name)));
    expect(nested(d.get('weight'))).toEqual(expected.weight);
    expect(nested(d.get('bias'))).toEqual(expected.bias);
  });

  it('keeps a None bias and the OrderedDict class and _metadata of a state dict', async () => {
    expect(dict(await readPythonFile(fixture('clf_nobias.pth'))).get('bias')).toBeNull();
    const sd = dict(await readPythonFile(fixture('clf_state_dict.pth')));
    expect(sd.pyClass).toBe('collections.OrderedDict');
    expect([...sd.entries.keys()]).toEqual(['weight', 'bias']);
    expect(sd.attributes).toBeInstanceOf(PyDict);
    expect(dict(sd.attributes).get('_metadata')).toBeInstanceOf(PyDict);
  });

  it('reads .npy and .npz (STORED and DEFLATED)', async () => {
    expect(nested(await readPythonFile(fixture('feats.npy')))).toEqual(expected.feats);
    expect(nested(await readPythonFile(fixture('idxs.npy')))).toEqual(expected.idxs);
    const npz = dict(await readPythonFile(fixture('feats.npz')));
    expect([...npz.entries.keys()]).toEqual(['feats', 'idxs', 'labels']);
    expect(nested(npz.get('feats'))).toEqual(expected.feats);
    expect(nested(npz.get('labels'))).toEqual(expected.labels);
    const compressed = dict(await readPythonFile(fixture('feats_compressed.npz')));
    expect(nested(compressed.get('feats'))).toEqual(expected.feats);
    expect(nested(compressed.get('idxs'))).toEqual(expected.idxs);
  });

  it.each(['longs_p2.pkl', 'longs_p4.pkl'])('%s keeps every int exact and every type', async (name) => {
    const v = await readPythonFile(fixture(name));
    expect(Array.isArray(v)).toBe(true);
    const items = v as PyValue[];
    expect(items.slice(0, 2)).toEqual([-(2 ** 40), 2 ** 40]);
    expect(items[2]).toBe(2n ** 53n + 1n);
    expect(items.slice(3, 7)).toEqual([-1, -(2 ** 31) - 1, 2 ** 31, 1.5]);
    expect(Object.is(items[7], -0)).toBe(true);
    expect(items[8]).toBe('ü');
    expect(items[9]).toBeInstanceOf(PyBytes);
    expect(Array.from((items[9] as PyBytes).bytes)).toEqual([97, 98]);
    expect(items[10]).toEqual(new PyTuple([1, 2]));
    expect([...dict(items[11]).entries]).toEqual([[1, 'x']]);
    expect(items.slice(12)).toEqual([true, null]);
  });

  it('gives a float32 view of the storage itself when a tensor covers it', async () => {
    const feats = dict(await readPythonFile(fixture('feats_torchsave_zip.pkl'))).get('feats') as TensorData;
    expect(toFloat32(feats)).toBe(feats.data);
    expect(feats.data.buffer.byteLength).toBe(80);
  });
});

describe('result files', () => {
  const result = join(TINYLT, 'result.pth');

  it('refuses the non-data globals of a result file in strict mode, naming the file and global', async () => {
    const error = await readPythonFile(result).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).file).toBe(result);
    expect((error as Error).message).toMatch(
      /global '(torch\.nn\.modules\.linear\.Linear|alphanet\._samplers\.\w+|torch\.optim\.[\w.]+)'/,
    );
  });

  it('loads in placeholder mode with inert records and references for the classes, real tensors for the weights', async () => {
    const r = dict(await readPythonFile(result, { placeholders: 'result-file' }));
    const state = dict(r.get('best_alphanet_classifier_state_dict') as PyValue);
    expect((state.get('alphanet.conv_layer.weight') as TensorData).shape).toEqual([32, 1, 4, 32]);
    expect((state.get('base_clf.weight') as TensorData).shape).toEqual([20, 32]);
    const config = dict(r.get('training_config') as PyValue);
    expect(config.get('n_neighbors')).toBe(3);
    const classes = new Set<string>();
    const seen = new Set<object>();
    const walk = (v: PyValue | undefined): void => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      if (v instanceof PyGlobal) classes.add(v.fullName);
      else if (v instanceof PyObject) {
        classes.add(v.pyClass);
        v.args.forEach(walk);
        walk(v.state);
      } else if (v instanceof PyDict) [...v.entries.values()].forEach(walk);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v instanceof PyTuple || v instanceof PySet) v.items.forEach(walk);
    };
    walk(r);
    // The sampler and optimiser classes are referenced by name; the Linear module is an inert instance.
    expect(classes).toContain('alphanet._samplers.AllFewSampler');
    expect(classes).toContain('torch.optim.adamw.AdamW');
    expect(classes).toContain('torch.nn.modules.linear.Linear');
    expect(classes).toContain('alphanet._samplers.ClassBalancedBaseSampler');
    const train = dict(r.get('train_data_info') as PyValue);
    expect(dict(train.get('class__set__per__split') as PyValue).get('few')).toBeInstanceOf(PySet);
  });
});

describe('bad input', () => {
  const bytesOf = (name: string) => new Uint8Array(readFileSync(fixture(name)));
  const decodeError = (bytes: Uint8Array, options?: { placeholders?: 'none' | 'result-file' }): FileFormatError => {
    try {
      decodePythonBytes(bytes, 'bad.bin', options);
    } catch (error) {
      expect(error).toBeInstanceOf(FileFormatError);
      expect((error as FileFormatError).file).toBe('bad.bin');
      return error as FileFormatError;
    }
    throw new Error('decoded without an error');
  };
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

  it('reports a truncated zip', () => {
    const zip = bytesOf('feats_torchsave_zip.pkl');
    for (const cut of [zip.length - 1, zip.length - 30, Math.floor(zip.length / 2), 100]) {
      expect(decodeError(zip.subarray(0, cut)).message).toMatch(/truncated|zip/);
    }
  });

  it('reports a truncated pickle', () => {
    const pkl = bytesOf('longs_p4.pkl');
    expect(decodeError(pkl.subarray(0, Math.floor(pkl.length / 2))).message).toMatch(/truncated/);
    const torch = bytesOf('feats_pickle_torch_p4.pkl');
    expect(decodeError(torch.subarray(0, 400)).message).toMatch(/truncated/);
  });

  it('refuses os.system and other dangerous globals in every mode, without calling anything', () => {
    const osSystem = latin1('\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85R.');
    for (const placeholders of ['none', 'result-file'] as const) {
      expect(decodeError(osSystem, { placeholders }).message).toMatch(/forbidden global 'os\.system'/);
    }
    const evalP4 = latin1('\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R.');
    expect(decodeError(evalP4, { placeholders: 'result-file' }).message).toMatch(/'builtins\.eval'/);
    const getattrP2 = latin1('\x80\x02c__builtin__\ngetattr\n.');
    expect(decodeError(getattrP2, { placeholders: 'result-file' }).message).toMatch(/'builtins\.getattr'/);
    // An attribute path that would reach os.system through an allowed-looking module.
    const dotted = latin1('\x80\x04\x8c\x08alphanet\x8c\x09os.system\x93.');
    expect(decodeError(dotted, { placeholders: 'result-file' }).message).toMatch(
      /forbidden global 'alphanet\.os\.system'/,
    );
  });

  it('refuses a global that is merely unknown, naming it', () => {
    const unknown = latin1('\x80\x02cmymod\nThing\n)R.');
    expect(decodeError(unknown).message).toMatch(/global 'mymod\.Thing'.*allow-list/);
    expect(decodeError(unknown, { placeholders: 'result-file' }).message).toMatch(/'mymod\.Thing'/);
  });

  it('reports an unknown opcode and stack misuse', () => {
    expect(decodeError(latin1('\x80\x02\xff.')).message).toMatch(/unknown opcode 0xff/);
    expect(decodeError(latin1('\x80\x02.')).message).toMatch(/stack underflow/);
    expect(decodeError(latin1('\x80\x02h\x05.')).message).toMatch(/memo entry 5/);
    expect(decodeError(latin1('\x80\x04\x8e\xff\xff\xff\xff\xff\x00\x00\x00.')).message).toMatch(/truncated/);
  });

  it('reports a bad .npy header', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, ";
    const bytes = new Uint8Array([...latin1('\x93NUMPY\x01\x00'), header.length, 0, ...latin1(header)]);
    expect(decodeError(bytes).message).toMatch(/bad \.npy header/);
    const structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }";
    const bytes2 = new Uint8Array([...latin1('\x93NUMPY\x01\x00'), structured.length, 0, ...latin1(structured)]);
    expect(decodeError(bytes2).message).toMatch(/structured/);
  });

  it('reports files of no known format and empty files', () => {
    expect(decodeError(latin1('hello world, not a pickle')).message).toMatch(/not a pickle/);
    expect(decodeError(new Uint8Array(0)).message).toMatch(/empty/);
  });

  it('reports safetensors whose header or data lie past the end', () => {
    const header = (json: string) => {
      const h = Buffer.from(json);
      const out = Buffer.alloc(8 + h.length);
      out.writeBigUInt64LE(BigInt(h.length));
      h.copy(out, 8);
      return out;
    };
    const tooLong = header('{}');
    tooLong.writeBigUInt64LE(1000n);
    tooLong[8] = 0x7b;
    expect(decodeError(tooLong).message).toMatch(/not a pickle|header length/);
    const short = header('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}');
    expect(decodeError(new Uint8Array([...short, 0, 0, 0, 0])).message).toMatch(/truncated: tensor w/);
    const mismatch = header('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}');
    expect(decodeError(new Uint8Array([...mismatch, ...new Uint8Array(16)])).message).toMatch(/shape needs 16/);
    const rank = header(`{"w":{"dtype":"U8","shape":[${new Array(65).fill(1).join(',')}],"data_offsets":[0,1]}}`);
    expect(decodeError(new Uint8Array([...rank, 0])).message).toMatch(/malformed shape/);
  });

  it('reports a DEFLATED .npz entry that does not inflate', () => {
    const npz = bytesOf('feats_compressed.npz').slice();
    // The first entry's compressed data starts after its local header; scramble its first bytes.
    const dataStart = 30 + (npz[26] | (npz[27] << 8)) + (npz[28] | (npz[29] << 8));
    npz.fill(0xff, dataStart, dataStart + 8);
    expect(decodeError(npz).message).toMatch(/does not inflate|inflates to/);
  });

  it('refuses a tensor view that reaches past its storage', () => {
    // view_torchsave_zip.pt with size (5, 2) patched to (9, 2): the view would read past 12 elements.
    const bytes = bytesOf('view_torchsave_zip.pt').slice();
    const sizeAt = bytes.indexOf(0x86, 0) >= 0 ? findSequence(bytes, [0x4b, 0x05, 0x4b, 0x02, 0x86]) : -1;
    expect(sizeAt).toBeGreaterThan(0);
    bytes[sizeAt + 1] = 9;
    expect(decodeError(bytes).message).toMatch(/reaches past its storage/);
  });
});

function findSequence(bytes: Uint8Array, seq: number[]): number {
  outer: for (let i = 0; i + seq.length <= bytes.length; i++) {
    for (let k = 0; k < seq.length; k++) if (bytes[i + k] !== seq[k]) continue outer;
    return i;
  }
  return -1;
}

describe('numpy details', () => {
  const npy = (descr: string, shape: string, fortran: boolean, data: Uint8Array): Uint8Array => {
    let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
    header = header.padEnd(64 - 10 - 1) + '\n';
    return new Uint8Array([
      0x93,
      ...Buffer.from('NUMPY'),
      1,
      0,
      header.length,
      0,
      ...Buffer.from(header, 'latin1'),
      ...data,
    ]);
  };

  it('byte-swaps big-endian arrays and transposes Fortran order into C order', () => {
    const be = new Uint8Array(12);
    const view = new DataView(be.buffer);
    [1.5, -2, 3].forEach((v, i) => view.setFloat32(4 * i, v, false));
    expect(nested(decodePythonBytes(npy('>f4', '(3,)', false, be), 'be.npy'))).toEqual([1.5, -2, 3]);
    // Fortran order: column-major storage of [[1, 2, 3], [4, 5, 6]].
    const f = new Uint8Array(new Float64Array([1, 4, 2, 5, 3, 6]).buffer);
    expect(nested(decodePythonBytes(npy('<f8', '(2, 3)', true, f), 'f.npy'))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('widens unsigned 16/32-bit integers and decodes float16 and bfloat16', () => {
    const u2 = new Uint8Array(new Uint16Array([0, 65535, 7]).buffer);
    const t = decodePythonBytes(npy('<u2', '(3,)', false, u2), 'u2.npy') as TensorData;
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.data as Int32Array)).toEqual([0, 65535, 7]);
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer);
    const h = decodePythonBytes(npy('<f2', '(3,)', false, half), 'h.npy') as TensorData;
    expect(Array.from(toFloat32(h))).toEqual([1, -2, Math.fround(0.333251953125)]);
    const bf: TensorData = { dtype: 'bfloat16', shape: [2], data: new Uint16Array([0x3fc0, 0xc040]) };
    expect(Array.from(toFloat32(bf))).toEqual([1.5, -3]);
  });

  it('toIntArray accepts int lists and int tensors and rejects floats and huge values', () => {
    expect(toIntArray([1, 2, 3], 'f', 'labels')).toEqual([1, 2, 3]);
    expect(toIntArray(new PyTuple([4]), 'f', 'labels')).toEqual([4]);
    expect(() => toIntArray([1.5], 'f', 'labels')).toThrow(/labels\[0\] is not an integer/);
    expect(() => toIntArray([2n ** 60n], 'f', 'labels')).toThrow(/too large/);
    const floats: TensorData = { dtype: 'float32', shape: [1], data: new Float32Array([1]) };
    expect(() => toIntArray(floats, 'f', 'labels')).toThrow(FileFormatError);
  });
});

describe('newer torch forms', () => {
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
  const short = (s: string) => cat(Uint8Array.of(0x8c, s.length), latin1(s));

  it('reads _rebuild_tensor_v3: an untyped byte storage viewed as the given dtype', () => {
    const values = new Float32Array([1.5, -2]);
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigUint64(0, 8n, true);
    const sysInfo = new PyDict();
    sysInfo.entries.set('little_endian', true);
    // A legacy torch.save of one 8-byte ByteStorage, as _load_from_bytes receives it.
    const blob = cat(
      pickleValue(0x1950a86a20f9469cfc6cn),
      pickleValue(1001),
      pickleValue(sysInfo),
      latin1('\x80\x02(X\x07\x00\x00\x00storagectorch\nByteStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x08NtQ.'),
      pickleValue(['0']),
      count,
      new Uint8Array(values.buffer),
    );
    const pickle = cat(
      latin1('\x80\x04'),
      short('torch._utils'),
      short('_rebuild_tensor_v3'),
      latin1('\x93('),
      short('torch.storage'),
      short('_load_from_bytes'),
      latin1('\x93C'),
      Uint8Array.of(blob.length),
      blob,
      latin1('\x85RK\x00K\x02\x85K\x01\x85\x89'),
      short('collections'),
      short('OrderedDict'),
      latin1('\x93)R'),
      short('torch'),
      short('float32'),
      latin1('\x93NtR.'),
    );
    const t = decodePythonBytes(pickle, 'v3.pkl') as TensorData;
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2]);
    expect(Array.from(t.data as Float32Array)).toEqual([1.5, -2]);
  });
});
