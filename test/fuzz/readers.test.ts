/**
 * CI's fuzz run: ≥ 300 byte-level mutants and 60 hostile cases per format (`npm run fuzz` runs more).
 * ALPHANET_FUZZ_MUTANTS overrides the mutant count.
 */
import { describe, expect, it } from 'vitest';
import { countsTable, FORMATS, fuzz, makeSeeds } from './fuzz.ts';

const MUTANTS = Number(process.env.ALPHANET_FUZZ_MUTANTS) || 300;
const HOSTILES = 60;

describe('fuzzing every reader', () => {
  it(
    `${MUTANTS} mutants and ${HOSTILES} hostile cases per format end decoded or refused, each in bounded time and memory`,
    { timeout: 600_000 },
    async () => {
      const seeds = await makeSeeds();
      if (seeds.torchNote) console.warn(`fuzz: ${seeds.torchNote}`);
      for (const format of FORMATS) expect(seeds.byFormat[format].length, format).toBeGreaterThan(0);
      const report = fuzz(seeds, MUTANTS, HOSTILES);
      console.log(`fuzz outcomes (slowest case ${report.slowestMs.toFixed(0)} ms):\n${countsTable(report)}`);
      expect(report.findings.map((f) => `${f.format} ${f.category} ${f.outcome}: ${f.detail}`)).toEqual([]);
      for (const format of FORMATS) {
        const { mutant, hostile } = report.counts[format];
        // Some mutants hit only data bytes and still decode; every hostile case is refused or harmless.
        expect(mutant.decoded, format).toBeGreaterThan(0);
        expect(mutant.refused, format).toBeGreaterThan(0);
        expect(hostile.bug + hostile.slow + hostile.memory, format).toBe(0);
      }
    },
  );
});
