import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CombosInput,
  type CombosOptions,
  type CombosRawData,
  type SplitName,
  CombosDataError,
  alphaMeanStd,
  buildCombosInput,
  countConfusions,
  formatCombos,
} from '../../src-shared/report/combos.ts';

// The golden files come from test/golden/combos/make_golden.py: the original's print statements
// restated in Python and run on the same fixture, so Python's own formatting is the oracle.
const GOLDEN = path.resolve(import.meta.dirname, '../golden/combos');

interface FixtureJson {
  classNames: string[];
  splits: Record<SplitName, number[]>;
  trainSamplesPerClass: number[];
  neighbours: Record<string, number[]>;
  testLabels: number[];
  baselinePredictions: number[];
  runs: { predictions: number[]; alphas: Record<string, number[]> }[];
}

function loadFixture(nRuns = 3): CombosRawData {
  const f = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'fixture.json'), 'utf8')) as FixtureJson;
  const byClass = <T>(o: Record<string, T>) => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));
  return {
    ...f,
    neighbours: byClass(f.neighbours),
    runs: f.runs
      .slice(0, nRuns)
      .map((r) => ({ predictions: Int32Array.from(r.predictions), alphas: byClass(r.alphas) })),
  };
}

const golden = (name: string) => fs.readFileSync(path.join(GOLDEN, name), 'utf8');

describe('formatCombos against the golden reports', () => {
  const cases: [string, number, Partial<CombosOptions>][] = [
    ['default.txt', 3, {}],
    ['default-original.txt', 3, { originalZeroEntries: true }],
    ['acc-min-2-mistakes-1.txt', 3, { selectBy: 'acc', selectMax: false, selectN: 2, mistakeN: 1 }],
    ['single-run.txt', 1, { selectBy: 'acc', selectMax: true, selectN: 1 }],
  ];
  for (const [file, nRuns, options] of cases) {
    it(`reproduces ${file}`, () => {
      expect(formatCombos(buildCombosInput(loadFixture(nRuns)), options)).toBe(golden(file));
    });
  }
});

describe('combos inputs', () => {
  it('counts confusions in order of first occurrence', () => {
    const c = countConfusions([0, 0, 0, 1, 0], [2, 1, 1, 1, 0]);
    expect(c.predictions).toEqual(
      new Map([
        [0, 4],
        [1, 1],
      ]),
    );
    expect([...c.mistakes.get(0)!]).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(c.mistakes.has(1)).toBe(false);
  });

  it('averages coefficients with the sample std, none for one run', () => {
    const { mean, std } = alphaMeanStd([
      [1, 0.5],
      [3, 0.5],
    ]);
    expect(mean).toEqual([2, 0.5]);
    expect(std[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(std[1]).toBe(0);
    expect(alphaMeanStd([[0.3]]).std).toEqual([null]);
  });

  it('summarises each few class', () => {
    const input = buildCombosInput(loadFixture());
    const lynx = input.fewClasses.find((c) => c.name === 'lynx')!;
    expect(lynx.baselineAcc).toBe(0.25);
    expect(lynx.alphanetAcc).toBeCloseTo(7 / 12, 12);
    expect(lynx.neighbours.map((nn) => nn.name)).toEqual(['Persian cat', 'tabby']);
    expect(input.alphanet.predictions.get(4)).toBe(12);
    // Persian cat (2) is mistaken first in run 1, so it precedes tabby (0) at the same count.
    expect([...input.alphanet.mistakes.get(4)!]).toEqual([
      [2, 2],
      [0, 2],
      [5, 1],
    ]);
    expect(input.splitOf).toEqual(['many', 'many', 'medium', 'few', 'few', 'few']);
  });

  it('leaves the input unchanged when reproducing the original zero entries', () => {
    const input = buildCombosInput(loadFixture());
    const before = JSON.stringify([...input.alphanet.mistakes].map(([y, row]) => [y, [...row]]));
    formatCombos(input, { originalZeroEntries: true });
    expect(JSON.stringify([...input.alphanet.mistakes].map(([y, row]) => [y, [...row]]))).toBe(before);
  });

  it('rejects data that does not fit', () => {
    const raw = loadFixture();
    expect(() => buildCombosInput({ ...raw, runs: [] })).toThrow(CombosDataError);
    expect(() =>
      buildCombosInput({ ...raw, baselinePredictions: Array.from(raw.baselinePredictions).slice(1) }),
    ).toThrow('24 labels but 23 predictions');
    expect(() => buildCombosInput({ ...raw, testLabels: [...Array.from(raw.testLabels).slice(1), 9] })).toThrow(
      'test label 9 is not a class id (0..5)',
    );
    const shortAlphas = {
      ...raw.runs[0]!,
      alphas: new Map([
        [3, [0.5]],
        [4, [0.5, 0.5]],
        [5, [0.5, 0.5]],
      ]),
    };
    expect(() => buildCombosInput({ ...raw, runs: [shortAlphas] })).toThrow(
      'run 0: few class 3 needs 2 coefficients, has 1',
    );
    expect(() => buildCombosInput({ ...raw, splits: { ...raw.splits, medium: [] } })).toThrow('class 2 is in no split');
  });
});

describe('formatCombos layout', () => {
  const oneClass = (classId: number, name: string, acc: number): CombosInput['fewClasses'][number] => ({
    classId,
    name,
    neighbours: [{ name: 'b', alphaMean: 0.00001234, alphaStd: 0.125 }],
    trainSamples: 1,
    baselineAcc: 0,
    alphanetAcc: acc,
  });
  const inputOf = (fewClasses: CombosInput['fewClasses']): CombosInput => ({
    nRuns: 1,
    classNames: ['a', 'b', 'c'],
    splitOf: ['few', 'few', 'many'],
    baseline: countConfusions([0, 1], [0, 1]),
    alphanet: countConfusions([0, 1], [0, 1]),
    fewClasses,
  });

  it('pads by code points and formats coefficients as Python .2g', () => {
    const text = formatCombos(inputOf([oneClass(0, '🐱x', 1)]));
    // "🐱x" is 2 code points (3 UTF-16 units): 7 spaces of padding.
    expect(text.split('\n').slice(1, 3)).toEqual(['[🐱x] = [🐱x]', '       + (1.2e-05±0.12)[b]']);
  });

  it('skips classes without test samples when selecting', () => {
    const text = formatCombos(inputOf([oneClass(0, 'none', NaN), oneClass(1, 'some', 0.5)]), { selectN: 5 });
    expect(text).toContain('[some]');
    expect(text).not.toContain('[none]');
  });
});
