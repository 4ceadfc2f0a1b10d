import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodeIco, encodePng, iconFiles } from '../scripts/make-icon.ts';

const ICONS = path.resolve(import.meta.dirname, '..', 'resources', 'icons');

/** A PNG's chunks, each with whether its CRC is right. */
function pngChunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    chunks.push({
      type: typeAndData.subarray(0, 4).toString('latin1'),
      data: typeAndData.subarray(4),
      crcOk: crc32(typeAndData) === png.readUInt32BE(at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

describe('the app icon (scripts/make-icon.ts)', () => {
  it('regenerates resources/icons byte for byte', () => {
    const files = iconFiles();
    expect(Object.keys(files).sort()).toEqual(fs.readdirSync(ICONS).sort());
    for (const [name, bytes] of Object.entries(files))
      expect([name, bytes.equals(fs.readFileSync(path.join(ICONS, name)))]).toEqual([name, true]);
  });

  it('writes PNGs whose chunks check and whose pixels read back', () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const chunks = pngChunks(encodePng(3, 2, rgba));
    expect(chunks.map((c) => [c.type, c.crcOk])).toEqual([
      ['IHDR', true],
      ['IDAT', true],
      ['IEND', true],
    ]);
    expect([
      chunks[0].data.readUInt32BE(0),
      chunks[0].data.readUInt32BE(4),
      chunks[0].data[8],
      chunks[0].data[9],
    ]).toEqual([3, 2, 8, 6]);
    const raw = inflateSync(chunks[1].data);
    const rows = [0, 1].map((y) => raw.subarray(y * 13, (y + 1) * 13));
    expect(rows.map((r) => r[0])).toEqual([0, 0]);
    expect(Buffer.concat(rows.map((r) => r.subarray(1)))).toEqual(Buffer.from(rgba));
    expect(() => encodePng(3, 3, rgba)).toThrow(/24 bytes is not 3 × 3 RGBA/);
  });

  it('writes an .ico whose directory points at its PNGs, 256 px stored as 0', () => {
    const png = (size: number) => encodePng(size, size, new Uint8Array(size * size * 4));
    const images = [
      { size: 256, png: png(256) },
      { size: 16, png: png(16) },
    ];
    const ico = encodeIco(images);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 2]);
    images.forEach(({ size, png: bytes }, i) => {
      const entry = ico.subarray(6 + 16 * i, 22 + 16 * i);
      expect([entry[0], entry[1], entry.readUInt32LE(8)]).toEqual([size % 256, size % 256, bytes.length]);
      expect(ico.subarray(entry.readUInt32LE(12), entry.readUInt32LE(12) + bytes.length).equals(bytes)).toBe(true);
    });
    expect(() => encodeIco([{ size: 512, png: png(1) }])).toThrow(/512 px image does not fit an \.ico/);
  });
});
