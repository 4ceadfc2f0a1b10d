/**
 * Builders of hostile inputs for the readers (zip bombs, overlapping entries, exponential pickles,
 * zero-size dimensions), shared by the hostile-file tests and the fuzz suite. Everything is generated
 * at test time, small, from the format's own rules.
 */
import { deflateRawSync } from 'node:zlib';

export interface RawZipEntry {
  name: string;
  data: Uint8Array;
  /** Deflate the data (else STORED). */
  deflate?: boolean;
  /** The uncompressed size the directory claims (default: the real one). */
  declaredSize?: number;
  /** Point this entry's directory record at entry k's local header and data (overlap). */
  shareWith?: number;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A plain (non-zip64) zip with the given entries, honest or not. */
export function buildZip(entries: RawZipEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const records: { offset: number; method: number; crc: number; compressed: number; size: number }[] = [];
  let offset = 0;
  for (const e of entries) {
    if (e.shareWith !== undefined) {
      records.push({ ...records[e.shareWith] });
      continue;
    }
    const body = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const name = Buffer.from(e.name);
    const header = Buffer.alloc(30);
    const method = e.deflate ? 8 : 0;
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(method, 8);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(name.length, 26);
    locals.push(header, name, body);
    records.push({ offset, method, crc, compressed: body.length, size });
    offset += header.length + name.length + body.length;
  }
  const central: Buffer[] = [];
  entries.forEach((e, i) => {
    const r = records[i];
    const name = Buffer.from(e.name);
    const rec = Buffer.alloc(46);
    rec.writeUInt32LE(0x02014b50, 0);
    rec.writeUInt16LE(20, 4);
    rec.writeUInt16LE(20, 6);
    rec.writeUInt16LE(r.method, 10);
    rec.writeUInt32LE(r.crc, 16);
    rec.writeUInt32LE(r.compressed, 20);
    rec.writeUInt32LE(r.size, 24);
    rec.writeUInt16LE(name.length, 28);
    rec.writeUInt32LE(r.offset, 42);
    central.push(rec, name);
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

/** A .npy file of the given dtype and shape whose data is `data` (default: zeros of the right size). */
export function buildNpy(shape: number[], descr = '<f4', data?: Uint8Array): Uint8Array {
  const itemSize = Number(descr.slice(2));
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93]).copy(head, 0);
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = data ?? new Uint8Array(shape.reduce((a, b) => a * b, 1) * itemSize);
  return new Uint8Array(Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

/** A .safetensors file; `tensors` give dtype, shape and data_offsets as written (honest or not). */
export function buildSafetensors(
  tensors: Record<string, { dtype: string; shape: number[]; offsets: [number, number] }>,
  dataBytes: number,
): Uint8Array {
  const header = JSON.stringify(
    Object.fromEntries(
      Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data_offsets: t.offsets }]),
    ),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  return new Uint8Array(Buffer.concat([len, Buffer.from(header), Buffer.alloc(dataBytes)]));
}

/** The 16-byte pickle: a dict keyed by a tuple holding a list that holds itself twice. */
export const SELF_REFERENCING_KEY = new Uint8Array(Buffer.from('\x80\x02}]q\x00(h\x00h\x00e\x85Ns.', 'latin1'));

/** A pickle whose dict key is a DAG of `levels` tuples, each holding the previous one twice (text 2**levels long). */
export function sharedKeyDag(levels: number): Uint8Array {
  // EMPTY_DICT; (1,) → memo 0; level i+1 = (memo i, memo i) → memo i+1 (POP keeps the stack flat).
  const ops: number[] = [0x80, 0x02, 0x7d, 0x4b, 0x01, 0x85, 0x72, 0, 0, 0, 0, 0x30];
  const get = (i: number) => [0x6a, i & 0xff, (i >> 8) & 0xff, 0, 0];
  for (let i = 0; i < levels; i++)
    ops.push(...get(i), ...get(i), 0x86, 0x72, (i + 1) & 0xff, ((i + 1) >> 8) & 0xff, 0, 0, 0x30);
  // dict[memo levels] = None
  ops.push(...get(levels), 0x4e, 0x73, 0x2e);
  return new Uint8Array(ops);
}
