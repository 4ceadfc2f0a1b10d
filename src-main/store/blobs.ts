/**
 * Typed arrays ↔ SQLite BLOBs, little-endian (the byte order of every platform the app ships on; the
 * bytes are the arrays' own, so no per-element conversion happens on write or read).
 */
import os from 'node:os';

if (os.endianness() !== 'LE') throw new Error('the store keeps arrays little-endian and needs a little-endian machine');

export function toBlob(array: Int32Array | Float32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** A copy when the buffer is not aligned for the element size (SQLite's buffers may not be). */
function aligned(blob: Uint8Array, size: number): ArrayBuffer {
  if (blob.byteLength % size !== 0)
    throw new RangeError(`a BLOB of ${blob.byteLength} bytes is not a whole number of ${size}-byte values`);
  return blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer;
}

export function int32FromBlob(blob: Uint8Array): Int32Array {
  if (blob.byteOffset % 4 === 0 && blob.byteLength % 4 === 0)
    return new Int32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Int32Array(aligned(blob, 4));
}

export function float64FromBlob(blob: Uint8Array): Float64Array {
  if (blob.byteOffset % 8 === 0 && blob.byteLength % 8 === 0)
    return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8);
  return new Float64Array(aligned(blob, 8));
}

export function float32FromBlob(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0 && blob.byteLength % 4 === 0)
    return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(aligned(blob, 4));
}
