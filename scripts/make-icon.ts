/**
 * The app's icon, drawn here so it rebuilds offline and byte for byte: a long-tail histogram (tall
 * many-shot bars, then the few-shot tail AlphaNet is about, in amber) on a rounded blue square.
 * `node bin/run-ts.mjs scripts/make-icon.ts` writes resources/icons/{512x512,256x256}.png and icon.ico
 * (electron-builder: the PNGs for Linux and macOS, the .ico for Windows).
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** Bar heights (fractions of the plot's height): a long-tailed class distribution. */
const BARS = [1, 0.66, 0.46, 0.34, 0.26, 0.21, 0.17];
/** Bars from this index on are the few-shot tail. */
const TAIL = 4;
const SUPERSAMPLE = 4;

type Rgb = readonly [number, number, number];
const TOP: Rgb = [0x2f, 0x5a, 0x94];
const BOTTOM: Rgb = [0x16, 0x2b, 0x4d];
const BAR: Rgb = [0xe9, 0xef, 0xf8];
const TAIL_BAR: Rgb = [0xf5, 0xa6, 0x23];

/** Inside a rounded rectangle [x0, x1] × [y0, y1] with corner radius r (unit coordinates). */
function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The colour at unit point (x, y), or null outside the icon. */
function colourAt(x: number, y: number): Rgb | null {
  if (!inRoundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  const plot = { x0: 0.17, x1: 0.83, base: 0.8, top: 0.2 };
  const step = (plot.x1 - plot.x0) / BARS.length;
  const i = Math.floor((x - plot.x0) / step);
  if (i >= 0 && i < BARS.length) {
    const left = plot.x0 + i * step + step * 0.14;
    const right = plot.x0 + (i + 1) * step - step * 0.14;
    const top = plot.base - BARS[i] * (plot.base - plot.top);
    if (inRoundedRect(x, y, left, top, right, plot.base, step * 0.12)) return i >= TAIL ? TAIL_BAR : BAR;
  }
  // The axis under the bars.
  if (x >= plot.x0 && x <= plot.x1 && y >= plot.base + 0.02 && y <= plot.base + 0.045) return BAR;
  const t = (y - 0.04) / 0.92;
  return [0, 1, 2].map((c) => TOP[c] + (BOTTOM[c] - TOP[c]) * t) as unknown as Rgb;
}

/** The icon as size × size RGBA (straight alpha), anti-aliased by supersampling. */
export function renderIcon(size: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const c = colourAt((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
          if (c === null) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          covered++;
        }
      }
      const o = (py * size + px) * 4;
      if (covered > 0) {
        rgba[o] = Math.round(r / covered);
        rgba[o + 1] = Math.round(g / covered);
        rgba[o + 2] = Math.round(b / covered);
      }
      rgba[o + 3] = Math.round((255 * covered) / n);
    }
  }
  return rgba;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A width × height RGBA image as PNG (8-bit RGBA, no filtering). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4)
    throw new Error(`encodePng: ${rgba.length} bytes is not ${width} × ${height} RGBA`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, no filter method, no interlace
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A Windows .ico holding square PNG images (sizes up to 256; the format stores 256 as 0). */
export function encodeIco(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    if (size < 1 || size > 256) throw new Error(`encodeIco: a ${size} px image does not fit an .ico (1–256)`);
    const e = Buffer.alloc(16);
    e[0] = size % 256;
    e[1] = size % 256;
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** The icon files by name (resources/icons/). */
export function iconFiles(): Record<string, Buffer> {
  const png = (size: number) => encodePng(size, size, renderIcon(size));
  const [p512, p256, p48, p32, p16] = [512, 256, 48, 32, 16].map(png);
  return {
    '512x512.png': p512,
    '256x256.png': p256,
    'icon.ico': encodeIco([
      { size: 256, png: p256 },
      { size: 48, png: p48 },
      { size: 32, png: p32 },
      { size: 16, png: p16 },
    ]),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(import.meta.dirname, '..', 'resources', 'icons');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(iconFiles())) {
    fs.writeFileSync(path.join(dir, name), bytes);
    console.log(`wrote resources/icons/${name} (${bytes.length} bytes)`);
  }
}
