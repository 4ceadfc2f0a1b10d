import { describe, expect, it } from 'vitest';
import { latin1CharCount } from './pickle.ts';

/** Seeded, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** `bytes` placed at byte offset `offset` of a fresh buffer, to exercise every alignment. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(bytes.length + offset + 3), offset, bytes.length);
  out.set(bytes);
  return out;
}

describe('latin1CharCount', () => {
  it('counts the characters of latin-1 text encoded as UTF-8 at every alignment and length', () => {
    const random = lcg(7);
    for (let length = 0; length < 40; length++) {
      const text = Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
      for (let offset = 0; offset < 4; offset++)
        expect(latin1CharCount(at(utf8(text), offset)), `${length}@${offset}`).toBe(length);
    }
    const long = Array.from({ length: 100_003 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
    expect(latin1CharCount(at(utf8(long), 1))).toBe(long.length);
    expect(latin1CharCount(utf8('\x00\x7f\x80\xbf\xc0\xff'))).toBe(6);
  });

  it('refuses a code point above U+00FF wherever it stands (head, words, tail)', () => {
    for (const bad of ['Ā', '€', '😀', 'ÿĀ']) {
      for (let position = 0; position < 12; position++) {
        const text = 'é'.repeat(position) + bad + 'aé'.repeat(5);
        for (let offset = 0; offset < 4; offset++)
          expect(latin1CharCount(at(utf8(text), offset)), `${bad} at ${position}@${offset}`).toBe(-1);
      }
    }
  });

  it('refuses overlong two-byte forms (lead bytes 0xc0 and 0xc1)', () => {
    for (const lead of [0xc0, 0xc1]) {
      for (let offset = 0; offset < 4; offset++) {
        expect(latin1CharCount(at(Uint8Array.of(0x61, 0x62, 0x63, 0x64, lead, 0x80, 0x61, 0x62), offset))).toBe(-1);
      }
    }
  });
});
