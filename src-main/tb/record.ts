/**
 * TFRecord framing, the container of TensorBoard event files: each record is
 * uint64le length · uint32le masked CRC-32C of those 8 bytes · data · uint32le masked CRC-32C of data.
 */
import { maskedCrc32c } from './crc32c.ts';

export class RecordError extends Error {
  override name = 'RecordError';
}

export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Splits a whole file into record payloads, checking both CRCs of every record. */
export function parseRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const where = `record ${records.length} at byte ${pos}`;
    if (pos + 12 > bytes.length) throw new RecordError(`${where}: truncated header (${bytes.length - pos} bytes left)`);
    const length = view.getBigUint64(pos, true);
    if (view.getUint32(pos + 8, true) !== maskedCrc32c(bytes.subarray(pos, pos + 8))) {
      throw new RecordError(`${where}: length CRC mismatch (corrupt file)`);
    }
    const end = pos + 12 + Number(length);
    if (length > BigInt(bytes.length) || end + 4 > bytes.length) {
      throw new RecordError(`${where}: truncated data (${length} bytes announced, ${bytes.length - pos - 12} left)`);
    }
    const data = bytes.subarray(pos + 12, end);
    if (view.getUint32(end, true) !== maskedCrc32c(data))
      throw new RecordError(`${where}: data CRC mismatch (corrupt file)`);
    records.push(data);
    pos = end + 4;
  }
  return records;
}
