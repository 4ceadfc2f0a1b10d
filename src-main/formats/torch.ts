import type { DType, TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { allocate, contiguousStrides, ELEMENT_SIZE, gatherStrided, MAX_RANK, product, viewBytes } from './dtypes.ts';
import { bytesSource, unpickle, type CallContext, type GlobalResolver } from './pickle.ts';
import { isTensor, PyBytes, PyDict, PyGlobal, PyTuple, type PyValue } from './pyvalue.ts';
import { deferInto, deferredRange, deferredTensor, rangeToDefer, shiftedRange } from './deferred.ts';
import { ByteReader, ReadBudget, type ByteSource } from './source.ts';
import { findEntry, type ZipEntry } from './zip.ts';

/** torch storage classes (`torch.FloatStorage` …) and the dtype of their elements. */
export const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  UntypedStorage: 'uint8',
};

export const STORAGE_NAMES: Record<DType, string> = {
  float32: 'FloatStorage',
  float64: 'DoubleStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

/** The legacy torch.save magic number, pickled first in every legacy file. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/**
 * Storages are 1-D TensorData. In the legacy format a storage's bytes follow the pickle that uses it,
 * so tensors built on it are filled in afterwards: these are the fill-ins waiting per storage.
 */
const pendingViews = new WeakMap<TensorData, Array<() => void>>();

function storageDType(type: PyValue, file: string): DType {
  const dtype = type instanceof PyGlobal && type.module === 'torch' ? STORAGE_DTYPES[type.name] : undefined;
  if (dtype === undefined) {
    throw new FileFormatError(
      file,
      `unsupported storage type ${type instanceof PyGlobal ? type.fullName : String(type)}`,
    );
  }
  return dtype;
}

function intArg(value: PyValue | undefined, what: string, file: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FileFormatError(file, `tensor ${what} is not a non-negative integer`);
  }
  return value;
}

function intTuple(value: PyValue | undefined, what: string, file: string): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (items === undefined) throw new FileFormatError(file, `tensor ${what} is not a tuple`);
  if (items.length > MAX_RANK) throw new FileFormatError(file, `tensor ${what} has ${items.length} dimensions`);
  return items.map((v) => intArg(v, what, file));
}

/** Views larger than this are refused unless they are plain reads of their storage. */
const MAX_EXPANDED_BYTES = 2 ** 31;

/**
 * The tensor `storage[offset + Σ i_d·stride_d]` as C-contiguous TensorData: the storage's own array when
 * the view covers it exactly, a subarray for a contiguous part of it, otherwise a gathered copy.
 */
export function viewOfStorage(
  storage: TensorData,
  offset: number,
  size: number[],
  stride: number[],
  ctx: Pick<CallContext, 'file' | 'charge'>,
): TensorData {
  const { file } = ctx;
  if (size.length !== stride.length) throw new FileFormatError(file, 'tensor size and stride differ in length');
  const n = product(size);
  const range = deferredRange(storage);
  // A deferred storage's length is its shape: asking its data would read it.
  const available = range ? storage.shape[0] : storage.data.length;
  if (n === 0) return { dtype: storage.dtype, shape: size, data: allocate(storage.dtype, 0) };
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (last >= available) {
    throw new FileFormatError(
      file,
      `tensor view (offset ${offset}, size [${size}], stride [${stride}]) reaches past its storage of ${available} elements`,
    );
  }
  const expected = contiguousStrides(size);
  const contiguous = size.every((s, d) => s === 1 || stride[d] === expected[d]);
  if (contiguous && range)
    return deferredTensor(storage.dtype, size, shiftedRange(range, offset * ELEMENT_SIZE[storage.dtype]));
  if (contiguous && offset === 0 && n === available) return { dtype: storage.dtype, shape: size, data: storage.data };
  // A contiguous part of at least half the storage is a view; a small part is copied so it does not keep a big storage alive.
  if (contiguous && 2 * n >= available) {
    return { dtype: storage.dtype, shape: size, data: storage.data.subarray(offset, offset + n) as TensorData['data'] };
  }
  const bytes = n * ELEMENT_SIZE[storage.dtype];
  if (bytes > MAX_EXPANDED_BYTES) throw new FileFormatError(file, `tensor view of ${n} elements is implausibly large`);
  ctx.charge(bytes);
  return { dtype: storage.dtype, shape: size, data: gatherStrided(storage.dtype, storage.data, offset, size, stride) };
}

/** `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
export function rebuildTensor(args: PyValue[], ctx: CallContext): PyValue {
  const storage = args[0];
  if (!isTensor(storage) || storage.shape.length !== 1) {
    throw new FileFormatError(ctx.file, 'tensor rebuilt from something that is not a storage');
  }
  const offset = intArg(args[1], 'storage offset', ctx.file);
  const size = intTuple(args[2], 'size', ctx.file);
  const stride = intTuple(args[3], 'stride', ctx.file);
  const waiting = pendingViews.get(storage);
  if (waiting === undefined) return viewOfStorage(storage, offset, size, stride, ctx);
  const result: TensorData = { dtype: storage.dtype, shape: size, data: allocate(storage.dtype, 0) };
  waiting.push(() => {
    const view = viewOfStorage(storage, offset, size, stride, ctx);
    const range = deferredRange(view);
    if (range) deferInto(result, range);
    else Object.assign(result, view);
  });
  return result;
}

/** torch dtype globals (`torch.float32` …) and ours. */
export const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/**
 * `_rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype, metadata)`:
 * newer torch's form for untyped (byte) storages; the bytes are viewed as `dtype` first.
 */
export function rebuildTensorV3(args: PyValue[], ctx: CallContext): PyValue {
  const [storage, , , , , , dtype] = args;
  const target = dtype instanceof PyGlobal && dtype.module === 'torch' ? TORCH_DTYPES[dtype.name] : undefined;
  if (target === undefined)
    throw new FileFormatError(
      ctx.file,
      `_rebuild_tensor_v3 with unsupported dtype ${dtype instanceof PyGlobal ? dtype.fullName : String(dtype)}`,
    );
  if (!isTensor(storage) || storage.shape.length !== 1)
    throw new FileFormatError(ctx.file, 'tensor rebuilt from something that is not a storage');
  if (storage.dtype === target || pendingViews.has(storage)) return rebuildTensor(args, ctx);
  if (storage.dtype !== 'uint8')
    throw new FileFormatError(ctx.file, `a ${storage.dtype} storage cannot hold ${target} elements`);
  const range = deferredRange(storage);
  if (range) {
    const typed = deferredTensor(target, [Math.floor(storage.shape[0] / ELEMENT_SIZE[target])], range);
    return rebuildTensor([typed, ...args.slice(1)], ctx);
  }
  const bytes = storage.data as Uint8Array;
  const typed: TensorData = {
    dtype: target,
    shape: [Math.floor(bytes.length / ELEMENT_SIZE[target])],
    data: viewBytes(target, bytes),
  };
  return rebuildTensor([typed, ...args.slice(1)], ctx);
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks[, state])`: a Parameter is its tensor here. */
export function rebuildParameter(args: PyValue[], ctx: CallContext): PyValue {
  if (!isTensor(args[0])) throw new FileFormatError(ctx.file, 'parameter rebuilt from something that is not a tensor');
  return args[0];
}

/** `torch._tensor._rebuild_from_type_v2(func, new_type, args, state)`: tensor subclasses, read as plain tensors. */
export function rebuildFromType(args: PyValue[], ctx: CallContext): PyValue {
  const inner = args[2];
  if (!(inner instanceof PyTuple))
    throw new FileFormatError(ctx.file, '_rebuild_from_type_v2 without an argument tuple');
  return ctx.call(args[0], inner.items);
}

/** `torch.storage._load_from_bytes(b)`: the bytes are a legacy torch file holding (usually) one storage. */
export function loadFromBytes(args: PyValue[], ctx: CallContext): PyValue {
  const blob = args[0];
  if (!(blob instanceof PyBytes)) throw new FileFormatError(ctx.file, '_load_from_bytes without bytes');
  const source = bytesSource(blob, `${ctx.file} (embedded torch storage)`);
  return readTorchLegacy(new ByteReader(source), ctx.resolveGlobal, ctx.budget, ctx.deferArrays);
}

function expectTuple(pid: PyValue, file: string): PyValue[] {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') {
    throw new FileFormatError(file, 'persistent id is not a torch storage reference');
  }
  return pid.items;
}

/**
 * Reads a legacy `torch.save` stream (magic number, protocol version, sys info, the object pickle, the
 * storage keys, then per key an int64 element count and the raw elements) from `reader.pos`. With
 * `defer`, a large little-endian storage in a file is left where it is (deferredTensor).
 */
export function readTorchLegacy(
  reader: ByteReader,
  resolveGlobal: GlobalResolver,
  budget = ReadBudget.forSize(reader.name, reader.source.size),
  defer = false,
): PyValue {
  const file = reader.name;
  const small = { resolveGlobal, budget };
  const magic = unpickle(reader, small);
  if (magic !== LEGACY_MAGIC) throw new FileFormatError(file, 'not a torch file (wrong magic number)');
  const version = unpickle(reader, small);
  if (version !== LEGACY_PROTOCOL_VERSION)
    throw new FileFormatError(file, `unsupported torch legacy protocol version ${String(version)}`);
  const sysInfo = unpickle(reader, small);
  const bigEndian = sysInfo instanceof PyDict && sysInfo.get('little_endian') === false;

  const roots = new Map<string, TensorData>();
  const views: Array<{ storage: TensorData; root: TensorData; offset: number }> = [];
  const viewsByKey = new Map<string, TensorData>();
  const stub = (dtype: DType, numel: number): TensorData => {
    const storage: TensorData = { dtype, shape: [numel], data: allocate(dtype, 0) };
    pendingViews.set(storage, []);
    return storage;
  };
  const result = unpickle(reader, {
    resolveGlobal,
    budget,
    persistentLoad(pid) {
      const [, type, rootKey, , size, viewMetadata] = expectTuple(pid, file);
      const dtype = storageDType(type, file);
      if (typeof rootKey !== 'string') throw new FileFormatError(file, 'storage key is not a string');
      const numel = intArg(size, 'storage size', file);
      let root = roots.get(rootKey);
      if (root === undefined) roots.set(rootKey, (root = stub(dtype, numel)));
      if (root.dtype !== dtype) throw new FileFormatError(file, `storage ${rootKey} used with two dtypes`);
      if (viewMetadata === null || viewMetadata === undefined) return root;
      const [viewKey, viewOffset, viewSize] = viewMetadata instanceof PyTuple ? viewMetadata.items : [];
      if (typeof viewKey !== 'string') throw new FileFormatError(file, 'malformed storage view metadata');
      let view = viewsByKey.get(viewKey);
      if (view === undefined) {
        view = stub(dtype, intArg(viewSize, 'storage view size', file));
        viewsByKey.set(viewKey, view);
        views.push({ storage: view, root, offset: intArg(viewOffset, 'storage view offset', file) });
      }
      return view;
    },
  });
  const keys = unpickle(reader, small);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new FileFormatError(file, 'malformed storage key list');
  }
  for (const key of keys as string[]) {
    const storage = roots.get(key);
    if (storage === undefined) throw new FileFormatError(file, `storage ${key} is listed but never used`);
    const numel = reader.u64();
    if (numel !== storage.shape[0])
      throw new FileFormatError(file, `storage ${key} holds ${numel} elements, expected ${storage.shape[0]}`);
    const nbytes = numel * ELEMENT_SIZE[storage.dtype];
    const range = defer ? rangeToDefer(reader.source, reader.pos, nbytes, bigEndian) : null;
    if (range) {
      reader.skip(nbytes);
      deferInto(storage, range);
    } else storage.data = viewBytes(storage.dtype, reader.bytes(nbytes), bigEndian);
  }
  for (const [key, storage] of roots) {
    if (storage.shape[0] > 0 && deferredRange(storage) === null && storage.data.length === 0)
      throw new FileFormatError(file, `storage ${key} has no data`);
  }
  for (const { storage, root, offset } of views) {
    const n = storage.shape[0];
    if (offset + n > root.shape[0]) throw new FileFormatError(file, 'storage view reaches past its storage');
    const range = deferredRange(root);
    if (range) deferInto(storage, shiftedRange(range, offset * ELEMENT_SIZE[root.dtype]));
    else storage.data = root.data.subarray(offset, offset + n) as TensorData['data'];
  }
  for (const storage of [...roots.values(), ...views.map((v) => v.storage)]) {
    for (const fill of pendingViews.get(storage) ?? []) fill();
    pendingViews.delete(storage);
  }
  return result;
}

/**
 * Reads a torch zip file (`torch.save` since 1.6): `<prefix>/data.pkl` is the object pickle, each
 * persistent id `('storage', type, key, location, numel)` names the STORED entry `<prefix>/data/<key>`,
 * which is read straight into a buffer of its own (aligned, so tensors view it without a copy). With
 * `defer`, a large little-endian storage in a file is left where it is (deferredTensor).
 */
export function readTorchZip(
  source: ByteSource,
  entries: ZipEntry[],
  resolveGlobal: GlobalResolver,
  budget = ReadBudget.forSize(source.name, source.size),
  defer = false,
): PyValue {
  const file = source.name;
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (pkl === undefined) throw new FileFormatError(file, 'zip file has no data.pkl, so it is not a torch file');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const order = findEntry(entries, `${prefix}byteorder`);
  const bigEndian = order !== undefined && new TextDecoder().decode(order.read(source)).trim() === 'big';
  const storages = new Map<string, TensorData>();
  return unpickle(new ByteReader(pkl.open(source)), {
    resolveGlobal,
    budget,
    persistentLoad(pid) {
      const [, type, key, , size] = expectTuple(pid, file);
      const dtype = storageDType(type, file);
      if (typeof key !== 'string') throw new FileFormatError(file, 'storage key is not a string');
      const cached = storages.get(key);
      if (cached) return cached;
      const numel = intArg(size, 'storage size', file);
      const entry = findEntry(entries, `${prefix}data/${key}`);
      if (entry === undefined) throw new FileFormatError(file, `storage entry ${prefix}data/${key} is missing`);
      const nbytes = numel * ELEMENT_SIZE[dtype];
      const entrySource = entry.open(source);
      if (entrySource.size < nbytes) {
        throw new FileFormatError(
          file,
          `storage entry ${entry.name} holds ${entrySource.size} bytes, expected ${nbytes}`,
        );
      }
      const range = defer ? rangeToDefer(entrySource, 0, nbytes, bigEndian) : null;
      const storage: TensorData = range
        ? deferredTensor(dtype, [numel], range)
        : { dtype, shape: [numel], data: viewBytes(dtype, entrySource.read(0, nbytes), bigEndian) };
      storages.set(key, storage);
      return storage;
    },
  });
}

export function isLegacyTorchHeader(head: Uint8Array): boolean {
  // PROTO 2, LONG1 of 10 bytes holding the magic number, STOP.
  const expected = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  return head.length >= expected.length && expected.every((b, i) => head[i] === b);
}
