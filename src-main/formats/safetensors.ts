import type { DType } from '../../src-shared/tensor.ts';
import { FileFormatError } from '../errors.ts';
import { ELEMENT_SIZE, MAX_RANK, product, viewBytes } from './dtypes.ts';
import { PyDict } from './pyvalue.ts';
import { ByteReader, ReadBudget, type ByteSource } from './source.ts';

export const SAFETENSORS_DTYPES: Record<string, DType> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

const MAX_HEADER = 100 * 2 ** 20;

/** True when the first bytes look like a safetensors header (u64 length, then a JSON object). */
export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return length <= BigInt(size - 8);
}

/**
 * Reads a .safetensors file (u64le header length, JSON header `{name: {dtype, shape, data_offsets}}`,
 * raw little-endian data) into a dict name → tensor; each tensor's bytes are read into their own buffer.
 */
export function readSafetensors(source: ByteSource, budget = ReadBudget.forSize(source.name, source.size)): PyDict {
  const file = source.name;
  const reader = new ByteReader(source);
  const headerLength = reader.u64();
  if (headerLength > MAX_HEADER || headerLength > reader.remaining) {
    throw new FileFormatError(file, `safetensors header length ${headerLength} is larger than the file allows`);
  }
  let header: unknown;
  try {
    header = JSON.parse(reader.utf8(headerLength));
  } catch (error) {
    throw new FileFormatError(file, `safetensors header is not JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FileFormatError(file, 'safetensors header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataSize = source.size - dataStart;
  const dict = new PyDict();
  const ranges: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype: code, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
    const dtype = typeof code === 'string' ? SAFETENSORS_DTYPES[code] : undefined;
    if (dtype === undefined)
      throw new FileFormatError(file, `tensor ${name}: unsupported safetensors dtype ${String(code)}`);
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new FileFormatError(file, `tensor ${name}: malformed shape`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new FileFormatError(file, `tensor ${name}: malformed data_offsets`);
    }
    const [begin, end] = offsets as number[];
    const nbytes = product(shape as number[]) * ELEMENT_SIZE[dtype];
    if (end - begin !== nbytes)
      throw new FileFormatError(file, `tensor ${name}: data_offsets span ${end - begin} bytes, shape needs ${nbytes}`);
    if (end > dataSize)
      throw new FileFormatError(
        file,
        `truncated: tensor ${name} ends at data offset ${end}, but only ${dataSize} data bytes exist`,
      );
    ranges.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // Tensors sharing bytes would multiply what the file expands to (and the format forbids it).
  const byStart = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byStart.length; i++) {
    const [a, b] = [byStart[i - 1], byStart[i]];
    if (b.begin < a.end)
      throw new FileFormatError(file, `tensors ${a.name} and ${b.name} overlap (data offsets ${b.begin} < ${a.end})`);
  }
  for (const { name, dtype, shape, begin, end } of ranges) {
    budget.charge(end - begin, `tensor ${name} (${end - begin} bytes)`);
    dict.entries.set(name, { dtype, shape, data: viewBytes(dtype, source.read(dataStart + begin, end - begin)) });
  }
  return dict;
}
