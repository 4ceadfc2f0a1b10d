import type { TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { halfToNumber } from './dtypes.ts';
import { isTensor, PyTuple, type PyValue } from './pyvalue.ts';

/** The elements as float32: the same array for float32 tensors, a converted copy otherwise. */
export function toFloat32(t: TensorData): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  const n = t.data.length;
  const out = new Float32Array(n);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const bits = t.data as Uint16Array;
    if (t.dtype === 'bfloat16') {
      // bfloat16 is the top half of a float32.
      const words = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) words[i] = bits[i] << 16;
    } else {
      for (let i = 0; i < n; i++) out[i] = halfToNumber(bits[i], 'float16');
    }
  } else if (t.dtype === 'int64') {
    const src = t.data as BigInt64Array;
    for (let i = 0; i < n; i++) out[i] = Number(src[i]);
  } else {
    out.set(t.data as Exclude<TensorData['data'], BigInt64Array>);
  }
  return out;
}

/**
 * The elements as JS numbers (float16/bfloat16 decoded, int64 checked to be exact). `file` and `what`
 * name the value in the error when an int64 lies beyond ±2**53.
 */
export function tensorToNumberArray(t: TensorData, file = '<tensor>', what = 'tensor'): number[] {
  const n = t.data.length;
  const out = new Array<number>(n);
  if (t.dtype === 'int64') {
    const src = t.data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (v > 2n ** 53n || v < -(2n ** 53n))
        throw new FileFormatError(file, `${what}: value ${v} is too large to use as a number`);
      out[i] = Number(v);
    }
  } else if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const bits = t.data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToNumber(bits[i], t.dtype);
  } else {
    const src = t.data as Exclude<TensorData['data'], BigInt64Array>;
    for (let i = 0; i < n; i++) out[i] = src[i];
  }
  return out;
}

/**
 * A 1-D sequence of integers from any of the ways files store one: a list or tuple of ints, or an
 * integer tensor / numpy array (any int dtype, bool excluded). Throws FileFormatError naming `file`
 * and `what` for anything else (floats, nesting, values beyond ±2**53).
 */
export function toIntArray(value: PyValue | undefined, file: string, what: string): number[] {
  if (isTensor(value)) {
    if (value.dtype.startsWith('float') || value.dtype === 'bfloat16' || value.dtype === 'bool') {
      throw new FileFormatError(file, `${what} is a ${value.dtype} tensor, expected integers`);
    }
    if (value.shape.length !== 1)
      throw new FileFormatError(file, `${what} has shape [${value.shape}], expected one dimension`);
    return tensorToNumberArray(value, file, what);
  }
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : undefined;
  if (items === undefined) throw new FileFormatError(file, `${what} is not a list or an integer tensor`);
  return items.map((v, i) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'bigint') throw new FileFormatError(file, `${what}[${i}] = ${v} is too large to use as a number`);
    throw new FileFormatError(file, `${what}[${i}] is not an integer`);
  });
}
