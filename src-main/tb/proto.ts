/**
 * The few protobuf messages of a TensorBoard event file, encoded and decoded by hand:
 *   Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
 *   HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
 *                    repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 * Fields we do not know (graphs, images, tensors, metadata) are skipped when decoding.
 */

export class ProtoError extends Error {
  override name = 'ProtoError';
}

export interface TbHistogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket. */
  bucketLimit: number[];
  bucket: number[];
}

export interface TbValue {
  tag: string;
  simpleValue?: number;
  histo?: TbHistogram;
}

export interface TbEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: TbValue[];
}

// ---------------------------------------------------------------------------------------------
// Encoding

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

class ProtoWriter {
  private readonly chunks: number[] = [];

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.chunks.push(Number(x));
  }

  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int64(field: number, v: number): void {
    if (!Number.isSafeInteger(v)) throw new ProtoError(`int64 field ${field}: ${v} is not a safe integer`);
    this.key(field, WIRE_VARINT);
    this.varint(BigInt(v));
  }

  double(field: number, v: number): void {
    this.key(field, WIRE_FIXED64);
    this.raw(float64Bytes([v]));
  }

  float(field: number, v: number): void {
    this.key(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.raw(b);
  }

  message(field: number, bytes: Uint8Array): void {
    this.key(field, WIRE_BYTES);
    this.varint(BigInt(bytes.length));
    this.raw(bytes);
  }

  string(field: number, s: string): void {
    this.message(field, new TextEncoder().encode(s));
  }

  packedDoubles(field: number, vs: readonly number[]): void {
    this.message(field, float64Bytes(vs));
  }

  private raw(b: Uint8Array): void {
    for (const x of b) this.chunks.push(x);
  }
}

function float64Bytes(vs: readonly number[]): Uint8Array {
  const b = new Uint8Array(8 * vs.length);
  const view = new DataView(b.buffer);
  vs.forEach((v, i) => view.setFloat64(8 * i, v, true));
  return b;
}

function encodeHistogram(h: TbHistogram): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, h.min);
  w.double(2, h.max);
  w.double(3, h.num);
  w.double(4, h.sum);
  w.double(5, h.sumSquares);
  w.packedDoubles(6, h.bucketLimit);
  w.packedDoubles(7, h.bucket);
  return w.bytes();
}

function encodeValue(v: TbValue): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, v.tag);
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue);
  if (v.histo !== undefined) w.message(5, encodeHistogram(v.histo));
  return w.bytes();
}

export function encodeEvent(e: TbEvent): Uint8Array {
  const w = new ProtoWriter();
  // proto3 leaves zero scalars out, as TensorFlow's writer does (its file_version event has no step).
  if (e.wallTime !== 0) w.double(1, e.wallTime);
  if (e.step !== 0) w.int64(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.summary !== undefined) {
    const s = new ProtoWriter();
    for (const v of e.summary) s.message(1, encodeValue(v));
    w.message(5, s.bytes());
  }
  return w.bytes();
}

// ---------------------------------------------------------------------------------------------
// Decoding

interface Field {
  field: number;
  wire: number;
  /** Varints as bigint; fixed and length-delimited fields as their bytes. */
  value: bigint | Uint8Array;
}

function readFields(b: Uint8Array, what: string): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= b.length) throw new ProtoError(`${what}: truncated varint`);
      const byte = b[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new ProtoError(`${what}: varint longer than 10 bytes`);
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > b.length)
      throw new ProtoError(`${what}: field runs past the end (${n} bytes at ${pos} of ${b.length})`);
    const out = b.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < b.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoError(`${what}: field number 0`);
    let value: bigint | Uint8Array;
    if (wire === WIRE_VARINT) value = varint();
    else if (wire === WIRE_FIXED64) value = take(8);
    else if (wire === WIRE_BYTES) value = take(Number(varint()));
    else if (wire === WIRE_FIXED32) value = take(4);
    else throw new ProtoError(`${what}: unsupported wire type ${wire} (field ${field})`);
    fields.push({ field, wire, value });
  }
  return fields;
}

function expectWire(f: Field, wire: number, what: string): Uint8Array | bigint {
  if (f.wire !== wire) throw new ProtoError(`${what}: field ${f.field} has wire type ${f.wire}, expected ${wire}`);
  return f.value;
}

const f64 = (b: Uint8Array, i = 0) => new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(i, true);

function doubles(f: Field, what: string): number[] {
  if (f.wire === WIRE_FIXED64) return [f64(f.value as Uint8Array)];
  const b = expectWire(f, WIRE_BYTES, what) as Uint8Array;
  if (b.length % 8 !== 0) throw new ProtoError(`${what}: packed doubles of ${b.length} bytes`);
  return Array.from({ length: b.length / 8 }, (_, i) => f64(b, 8 * i));
}

function decodeHistogram(b: Uint8Array): TbHistogram {
  const what = 'HistogramProto';
  const h: TbHistogram = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const scalar: Record<number, 'min' | 'max' | 'num' | 'sum' | 'sumSquares'> = {
    1: 'min',
    2: 'max',
    3: 'num',
    4: 'sum',
    5: 'sumSquares',
  };
  for (const f of readFields(b, what)) {
    const name = scalar[f.field];
    if (name !== undefined) h[name] = f64(expectWire(f, WIRE_FIXED64, what) as Uint8Array);
    else if (f.field === 6) h.bucketLimit.push(...doubles(f, what));
    else if (f.field === 7) h.bucket.push(...doubles(f, what));
  }
  return h;
}

function decodeValue(b: Uint8Array): TbValue {
  const what = 'Summary.Value';
  const v: TbValue = { tag: '' };
  for (const f of readFields(b, what)) {
    if (f.field === 1) v.tag = new TextDecoder().decode(expectWire(f, WIRE_BYTES, what) as Uint8Array);
    else if (f.field === 2) {
      const bytes = expectWire(f, WIRE_FIXED32, what) as Uint8Array;
      v.simpleValue = new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
    } else if (f.field === 5) v.histo = decodeHistogram(expectWire(f, WIRE_BYTES, what) as Uint8Array);
  }
  return v;
}

export function decodeEvent(b: Uint8Array): TbEvent {
  const what = 'Event';
  const e: TbEvent = { wallTime: 0, step: 0 };
  for (const f of readFields(b, what)) {
    if (f.field === 1) e.wallTime = f64(expectWire(f, WIRE_FIXED64, what) as Uint8Array);
    else if (f.field === 2) e.step = Number(BigInt.asIntN(64, expectWire(f, WIRE_VARINT, what) as bigint));
    else if (f.field === 3) e.fileVersion = new TextDecoder().decode(expectWire(f, WIRE_BYTES, what) as Uint8Array);
    else if (f.field === 5) {
      const summary = expectWire(f, WIRE_BYTES, what) as Uint8Array;
      e.summary = readFields(summary, 'Summary')
        .filter((sf) => sf.field === 1)
        .map((sf) => decodeValue(expectWire(sf, WIRE_BYTES, 'Summary') as Uint8Array));
    }
  }
  return e;
}
