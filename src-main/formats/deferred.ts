import type { DType, TensorData } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { readFileRange } from '../files.ts';
import { ELEMENT_SIZE, product, viewBytes } from './dtypes.ts';
import { fileRangeOf, type ByteSource } from './source.ts';

/**
 * Where a left-unread array's little-endian elements lie in its file (ReadOptions.deferArrays):
 * contiguous, from `byteOffset`, in a file that was `fileSize` bytes long when it was read.
 */
export interface FileRange {
  file: string;
  fileSize: number;
  byteOffset: number;
}

/** Storages smaller than this are read at once: deferring them saves nothing worth a second open. */
export const DEFER_MIN_BYTES = 1 << 20;

const ranges = new WeakMap<TensorData, FileRange>();

/** Where a deferred array's elements lie, or null for an array read into memory. */
export function deferredRange(tensor: TensorData): FileRange | null {
  return ranges.get(tensor) ?? null;
}

/**
 * An array whose elements are read from `range` on the first access of `data` (then kept), so a
 * consumer that streams them (deferredRange) never holds them all, and any other consumer sees an
 * ordinary TensorData. `data` is not enumerable: copying or printing the tensor reads nothing.
 */
export function deferredTensor(dtype: DType, shape: number[], range: FileRange): TensorData {
  return deferInto({ dtype, shape } as TensorData, range);
}

/** Makes `tensor` (its dtype and shape set) read its elements from `range` on first use (see deferredTensor). */
export function deferInto(tensor: TensorData, range: FileRange): TensorData {
  const { dtype, shape } = tensor;
  const settle = (data: TensorData['data']) =>
    Object.defineProperty(tensor, 'data', { value: data, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(tensor, 'data', {
    configurable: true,
    enumerable: false,
    get() {
      const length = product(shape) * ELEMENT_SIZE[dtype];
      const bytes = readFileRange(range.file, range.fileSize, range.byteOffset, length);
      if (bytes === null) throw new FileFormatError(range.file, 'the file changed while it was being read');
      const data = viewBytes(dtype, bytes);
      settle(data);
      return data;
    },
    set: settle,
  });
  ranges.set(tensor, range);
  return tensor;
}

/** The deferred array `bytes` further into the same file (a contiguous view of a deferred storage). */
export function shiftedRange(range: FileRange, bytes: number): FileRange {
  return { ...range, byteOffset: range.byteOffset + bytes };
}

/**
 * Where `nbytes` at `position` of `source` lie in its file, when they are worth leaving there: large
 * enough, little-endian, and in a file (not inflated or in memory). Null otherwise: read them.
 */
export function rangeToDefer(
  source: ByteSource | undefined,
  position: number,
  nbytes: number,
  bigEndian: boolean,
): FileRange | null {
  return source && !bigEndian && nbytes >= DEFER_MIN_BYTES ? fileRangeOf(source, position) : null;
}
