import type { DType, DTypeArrays } from '../../src-shared/tensor.ts';

export const ELEMENT_SIZE: Record<DType, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A typed array of `length` elements of `dtype` over `buffer` at a byte offset that must be aligned. */
function makeArray<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): DTypeArrays[D] {
  const make: { [K in DType]: () => DTypeArrays[K] } = {
    float64: () => new Float64Array(buffer, byteOffset, length),
    float32: () => new Float32Array(buffer, byteOffset, length),
    float16: () => new Uint16Array(buffer, byteOffset, length),
    bfloat16: () => new Uint16Array(buffer, byteOffset, length),
    int64: () => new BigInt64Array(buffer, byteOffset, length),
    int32: () => new Int32Array(buffer, byteOffset, length),
    int16: () => new Int16Array(buffer, byteOffset, length),
    int8: () => new Int8Array(buffer, byteOffset, length),
    uint8: () => new Uint8Array(buffer, byteOffset, length),
    bool: () => new Uint8Array(buffer, byteOffset, length),
  };
  return make[dtype]();
}

export function allocate<D extends DType>(dtype: D, length: number): DTypeArrays[D] {
  return makeArray(dtype, new ArrayBuffer(length * ELEMENT_SIZE[dtype]), 0, length);
}

/**
 * Views little-endian bytes as elements of `dtype` without copying when the offset is aligned (typed
 * arrays require it); misaligned bytes are copied once. `bigEndian` bytes are swapped into a copy.
 */
export function viewBytes<D extends DType>(dtype: D, bytes: Uint8Array, bigEndian = false): DTypeArrays[D] {
  const size = ELEMENT_SIZE[dtype];
  const length = Math.floor(bytes.length / size);
  if (bigEndian && size > 1) {
    const out = new Uint8Array(length * size);
    for (let i = 0; i < length * size; i += size) {
      for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k];
    }
    return makeArray(dtype, out.buffer, 0, length);
  }
  if (bytes.byteOffset % size === 0) return makeArray(dtype, bytes.buffer, bytes.byteOffset, length);
  return makeArray(dtype, bytes.slice(0, length * size).buffer, 0, length);
}

/** More dimensions than torch or numpy allow: a malformed file (and deep recursion for printers). */
export const MAX_RANK = 64;

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/**
 * Copies the strided view `(offset, shape, strides)` of `source` (in elements) into a new C-contiguous
 * array. Callers have checked that every index lies inside `source`.
 */
export function gatherStrided<D extends DType>(
  dtype: D,
  source: DTypeArrays[D],
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): DTypeArrays[D] {
  const n = product(shape);
  const out = allocate(dtype, n);
  // One code path for every dtype: element copies never mix number and bigint arrays.
  const src = source as unknown as Float64Array;
  const dst = out as unknown as Float64Array;
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[offset];
    return out;
  }
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    if (innerStride === 1) {
      dst.set(src.subarray(base, base + inner), o);
    } else {
      for (let k = 0, s = base; k < inner; k++, s += innerStride) dst[o + k] = src[s];
    }
    // Advance the outer multi-index like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      base += strides[d];
      if (index[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** One float16 or bfloat16 value (its raw 16 bits) as a number. */
export function halfToNumber(bits: number, dtype: 'float16' | 'bfloat16'): number {
  if (dtype === 'bfloat16') return new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
