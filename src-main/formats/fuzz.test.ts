import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import { decodePythonBytes } from './read.ts';
import { Rng } from '../../src-shared/rng.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/formats');
const TINYLT = join(import.meta.dirname, '../../test/fixtures/tinylt');

/** Uniform draws in [0, 1) from the project's seeded generator: the same seed gives the same sequence. */
function prng(seed: number): () => number {
  const rng = Rng.fromSeed(seed);
  return () => rng.nextFloat();
}

describe('fuzzing the readers with mutated fixtures', () => {
  const files = [
    ...readdirSync(FIXTURES)
      .filter((f) => !/\.(py|out|json|md)$/.test(f))
      .map((f) => join(FIXTURES, f)),
    join(TINYLT, 'result.pth'),
    join(TINYLT, 'classifiers/synth.pth'),
  ];
  const originals = files.map((f) => new Uint8Array(readFileSync(f)));

  it('500 mutations each decode or raise FileFormatError, each within a second', () => {
    const random = prng(20240611);
    const problems: string[] = [];
    let decoded = 0;
    for (let round = 0; round < 500; round++) {
      const which = Math.floor(random() * files.length);
      let bytes = originals[which].slice();
      const mutations = 1 + Math.floor(random() * 4);
      const log: string[] = [];
      for (let m = 0; m < mutations; m++) {
        const kind = random();
        const at = Math.floor(random() * bytes.length);
        if (kind < 0.75) {
          const value = Math.floor(random() * 256);
          log.push(`[${at}]=${value}`);
          bytes[at] = value;
        } else if (kind < 0.9) {
          const bit = Math.floor(random() * 8);
          log.push(`[${at}]^=${1 << bit}`);
          bytes[at] ^= 1 << bit;
        } else {
          log.push(`cut@${at}`);
          bytes = bytes.slice(0, at);
        }
      }
      const placeholders = round % 2 === 0 ? 'none' : 'result-file';
      const start = performance.now();
      try {
        decodePythonBytes(bytes, files[which], { placeholders });
        decoded++;
      } catch (error) {
        // The readers' own checks must catch the damage: the catch-all fallback ("cannot decode …")
        // would mean an internal error (a TypeError, an allocation failure) slipped through.
        if (!(error instanceof FileFormatError) || /cannot decode/.test(error.message)) {
          problems.push(`${files[which]} ${log.join(' ')}: ${String(error)}`);
        }
      }
      const ms = performance.now() - start;
      if (ms > 1000) problems.push(`${files[which]} ${log.join(' ')}: took ${ms.toFixed(0)} ms`);
    }
    expect(problems).toEqual([]);
    // Some mutations hit only data bytes, so a fair share must still decode.
    expect(decoded).toBeGreaterThan(25);
  });
});
