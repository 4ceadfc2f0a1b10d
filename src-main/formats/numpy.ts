import type { DType, TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { allocate, gatherStrided, halfToNumber, MAX_RANK, product, viewBytes } from './dtypes.ts';
import { deferInto, rangeToDefer } from './deferred.ts';
import type { CallContext } from './pickle.ts';
import { PyBytes, PyDict, PyGlobal, PyObject, PyTuple, type PyValue } from './pyvalue.ts';
import { ByteReader, type ByteSource } from './source.ts';
import type { ZipEntry } from './zip.ts';

/** How a numpy dtype maps onto ours: unsigned 16/32/64-bit integers are widened (checked) to signed types. */
export interface NumpyType {
  dtype: DType;
  itemSize: number;
  bigEndian: boolean;
  widen: 'u2' | 'u4' | 'u8' | null;
}

const KINDS: Record<string, DType> = {
  f8: 'float64',
  f4: 'float32',
  f2: 'float16',
  i8: 'int64',
  i4: 'int32',
  i2: 'int16',
  i1: 'int8',
  u1: 'uint8',
  b1: 'bool',
  u2: 'int32',
  u4: 'int64',
  u8: 'int64',
};

/** Parses a dtype string such as `<f4`, `|b1` or (pickled dtypes) `f4` with a separate byte order. */
export function parseDescr(descr: string, file: string, byteOrder?: string): NumpyType {
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const dtype = m ? KINDS[m[2]] : undefined;
  if (!m || dtype === undefined) throw new FileFormatError(file, `unsupported numpy dtype '${descr}'`);
  const order = byteOrder ?? m[1];
  const code = m[2];
  const widen = code === 'u2' || code === 'u4' || code === 'u8' ? code : null;
  return { dtype, itemSize: Number(code.slice(1)), bigEndian: order === '>', widen };
}

function widenUnsigned(type: NumpyType, bytes: Uint8Array, n: number, file: string): TensorData['data'] {
  const raw = new Uint8Array(n * type.itemSize);
  raw.set(bytes.subarray(0, raw.length));
  const view = new DataView(raw.buffer);
  const le = !type.bigEndian;
  if (type.widen === 'u2') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, le);
    return out;
  }
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (type.widen === 'u4') out[i] = BigInt(view.getUint32(4 * i, le));
    else {
      const v = view.getBigUint64(8 * i, le);
      if (v >= 2n ** 63n) throw new FileFormatError(file, `uint64 value ${v} does not fit int64`);
      out[i] = v;
    }
  }
  return out;
}

function fortranStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let step = 1;
  for (const s of shape) {
    strides.push(step);
    step *= s;
  }
  return strides;
}

function checkDataLength(type: NumpyType, shape: number[], length: number, file: string): void {
  const expected = product(shape) * type.itemSize;
  if (length !== expected)
    throw new FileFormatError(
      file,
      `numpy array data holds ${length} bytes, expected ${expected} for shape [${shape}]`,
    );
}

/** Builds C-ordered TensorData from an array's raw bytes (byte-swapped, widened, transposed as needed). */
export function arrayFromBytes(
  type: NumpyType,
  shape: number[],
  fortran: boolean,
  bytes: Uint8Array,
  file: string,
): TensorData {
  const n = product(shape);
  checkDataLength(type, shape, bytes.length, file);
  let data = type.widen ? widenUnsigned(type, bytes, n, file) : viewBytes(type.dtype, bytes, type.bigEndian);
  if (fortran && shape.length > 1 && n > 0) data = gatherStrided(type.dtype, data, 0, shape, fortranStrides(shape));
  return { dtype: type.dtype, shape, data };
}

function shapeOf(value: PyValue | undefined, file: string): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
    throw new FileFormatError(file, 'numpy array shape is not a tuple of sizes');
  }
  const shape = items as number[];
  if (shape.length > MAX_RANK) throw new FileFormatError(file, `numpy array has ${shape.length} dimensions`);
  if (product(shape) > 2 ** 40) throw new FileFormatError(file, `numpy array shape [${shape}] is implausibly large`);
  return shape;
}

/** A pickled `numpy.dtype(descr, align, copy)` whose BUILD state `(version, byteorder, …)` gave the byte order. */
function typeOfPickledDType(value: PyValue | undefined, file: string): NumpyType {
  if (!(value instanceof PyObject) || value.pyClass !== 'numpy.dtype' || typeof value.args[0] !== 'string') {
    throw new FileFormatError(file, 'numpy array without a dtype');
  }
  const order =
    value.state instanceof PyTuple && typeof value.state.items[1] === 'string' ? value.state.items[1] : undefined;
  return parseDescr(value.args[0], file, order);
}

function rawBytes(value: PyValue | undefined, file: string): Uint8Array {
  if (value instanceof PyBytes) return value.bytes;
  if (typeof value === 'string') {
    // Protocol-0/1 pickles and Python 2 store the buffer as a latin-1 str.
    return Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
  }
  throw new FileFormatError(file, 'numpy array data is not bytes (object arrays are not supported)');
}

/** `numpy.dtype(descr, align, copy)`: an inert record; its byte order arrives by BUILD. */
export function pickledDType(args: PyValue[]): PyValue {
  return new PyObject('numpy.dtype', args);
}

/**
 * `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')`: an empty array that BUILD fills with
 * `(version, shape, dtype, is_fortran, rawdata)`.
 */
export function reconstructArray(args: PyValue[], ctx: CallContext): PyValue {
  const cls = args[0];
  if (!(cls instanceof PyGlobal) || cls.name !== 'ndarray') {
    throw new FileFormatError(ctx.file, 'numpy _reconstruct of something other than numpy.ndarray');
  }
  const array: TensorData = { dtype: 'uint8', shape: [0], data: allocate('uint8', 0) };
  ctx.onBuild(array, (state) => {
    const items = state instanceof PyTuple ? state.items : [];
    // Version 1 states start with the version number; the older form omits it.
    const [shape, dtype, fortran, raw] = items.length === 5 ? items.slice(1) : items;
    if (items.length !== 4 && items.length !== 5) throw new FileFormatError(ctx.file, 'malformed numpy array state');
    const type = typeOfPickledDType(dtype, ctx.file);
    const dims = shapeOf(shape, ctx.file);
    const range = ctx.deferArrays ? inPlace(type, dims, fortran === true, raw, ctx.file) : null;
    if (range) deferInto(Object.assign(array, { dtype: type.dtype, shape: dims }), range);
    else Object.assign(array, arrayFromBytes(type, dims, fortran === true, rawBytes(raw, ctx.file), ctx.file));
  });
  return array;
}

/** Where an array's elements lie in the file when they can be read from there as they are (C order, little-endian, not widened). */
function inPlace(type: NumpyType, shape: number[], fortran: boolean, raw: PyValue | undefined, file: string) {
  if (!(raw instanceof PyBytes) || type.bigEndian || type.widen || (fortran && shape.length > 1)) return null;
  const range = rangeToDefer(raw.deferred?.source, 0, raw.length, false);
  if (range === null) return null;
  checkDataLength(type, shape, raw.length, file);
  return range;
}

/** `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (protocol 5 pickles). */
export function arrayFromBuffer(args: PyValue[], ctx: CallContext): PyValue {
  const [buffer, dtype, shape, order] = args;
  return arrayFromBytes(
    typeOfPickledDType(dtype, ctx.file),
    shapeOf(shape, ctx.file),
    order === 'F',
    rawBytes(buffer, ctx.file),
    ctx.file,
  );
}

/** `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy scalar becomes a plain number (int64 beyond 2**53: bigint). */
export function numpyScalar(args: PyValue[], ctx: CallContext): PyValue {
  const type = typeOfPickledDType(args[0], ctx.file);
  const { data } = arrayFromBytes(type, [], false, rawBytes(args[1], ctx.file), ctx.file);
  const v = data[0];
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
  if (type.dtype === 'bool') return v !== 0;
  if (type.dtype === 'float16' || type.dtype === 'bfloat16') return halfToNumber(v, type.dtype);
  return v;
}

// ---- .npy / .npz

type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

/** Parses the Python literal of a .npy header (a dict of strings, ints, booleans and tuples). */
function parseHeaderLiteral(text: string, file: string): Literal {
  let i = 0;
  const bad = (): never => {
    throw new FileFormatError(file, `bad .npy header: ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (depth: number): Literal => {
    if (depth > 16) bad();
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const list: Literal[] = [];
      const dict: { [key: string]: Literal } = {};
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return c === '{' ? dict : list;
        }
        const item = value(depth + 1);
        ws();
        if (c === '{') {
          if (text[i] !== ':' || typeof item !== 'string') bad();
          i++;
          dict[item as string] = value(depth + 1);
          ws();
        } else list.push(item);
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad();
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad();
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const word = /^[A-Za-z_]\w*|^-?\d+/.exec(text.slice(i, i + 32));
    if (!word) return bad();
    i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    if (/^-?\d+$/.test(word[0])) return Number(word[0]);
    return bad();
  };
  const result = value(0);
  ws();
  if (i !== text.length) bad();
  return result;
}

/** Reads a .npy array (format versions 1–3); its data is read into a buffer of its own. */
export function readNpy(source: ByteSource): TensorData {
  const file = source.name;
  const reader = new ByteReader(source);
  const magic = reader.bytes(Math.min(6, source.size));
  if (magic.length < 6 || magic[0] !== 0x93 || String.fromCharCode(...magic.subarray(1)) !== 'NUMPY') {
    throw new FileFormatError(file, 'not a .npy file (bad magic)');
  }
  const major = reader.u8();
  reader.u8();
  if (major < 1 || major > 3) throw new FileFormatError(file, `unsupported .npy format version ${major}`);
  const headerLength = major === 1 ? reader.u16() : reader.u32();
  reader.need(headerLength);
  const text = major === 3 ? reader.utf8(headerLength) : reader.latin1(headerLength);
  const header = parseHeaderLiteral(text.trim(), file);
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new FileFormatError(file, 'bad .npy header: not a dict');
  const { descr, fortran_order: fortran, shape } = header;
  if (typeof descr !== 'string') throw new FileFormatError(file, 'bad .npy header: structured or missing dtype');
  if (typeof fortran !== 'boolean' || !Array.isArray(shape))
    throw new FileFormatError(file, 'bad .npy header: missing fortran_order or shape');
  const type = parseDescr(descr, file);
  const dims = shapeOf(shape as PyValue[], file);
  const nbytes = product(dims) * type.itemSize;
  reader.need(nbytes);
  return arrayFromBytes(type, dims, fortran, source.read(reader.pos, nbytes), file);
}

/** Reads every `<name>.npy` entry of an .npz (STORED or DEFLATED) into a dict name → array. */
export function readNpz(source: ByteSource, entries: ZipEntry[]): PyDict {
  const dict = new PyDict();
  for (const entry of entries) {
    if (!entry.name.endsWith('.npy')) continue;
    const name = entry.name.slice(0, -4);
    dict.entries.set(name, readNpy(subName(entry.open(source), `${source.name} (${entry.name})`)));
  }
  return dict;
}

function subName(source: ByteSource, name: string): ByteSource {
  return { name, size: source.size, read: (p, n) => source.read(p, n) };
}
