import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from './config.ts';
import {
  bootstrapMeanCI,
  canonicalJson,
  configGroupKey,
  fnv1a64,
  mean,
  oneSampleTTest,
  pairBySeed,
  pairedTTest,
  regularizedIncompleteBeta,
  sampleStd,
  studentTCdf,
  studentTTwoSidedP,
  summarize,
  welchTTest,
} from './stats.ts';

// Ten per-run few-split accuracies of an "AlphaNet (r=0.1)"-like experiment.
const FEW = [0.4662, 0.48523, 0.46694, 0.46473, 0.44948, 0.46726, 0.50012, 0.48306, 0.49826, 0.47872];

describe('summaries', () => {
  it('matches python statistics (exact) mean and sample std of percentages to 1e-12', () => {
    // python3: statistics.mean / statistics.stdev of [v*100 for v in FEW]
    const pct = FEW.map((v) => v * 100);
    expect(Math.abs(mean(pct) - 47.6)).toBeLessThan(1e-12);
    expect(Math.abs((sampleStd(pct) as number) - 1.6001914468796121)).toBeLessThan(1e-12);
    expect(summarize(pct).n).toBe(10);
  });

  it('gives no std for a single run and NaN mean for none', () => {
    expect(summarize([49.6])).toEqual({ n: 1, mean: 49.6, std: null });
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it('keeps precision on large offsets (two-pass variance)', () => {
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(sampleStd(xs)).toBeCloseTo(Math.sqrt(30), 9);
  });
});

describe('Student t distribution', () => {
  // scipy 1.17: 2 * t.sf(|t|, df) and t.cdf(t, df)
  const cases: [number, number, number, number][] = [
    [1, 0.5, 0.7048327646991335, 0.6475836176504333],
    [2, -1.3, 0.3232470318160403, 0.16162351590802015],
    [3, 2.5, 0.08770664700806556, 0.9561466764959672],
    [4.7, 3.1, 0.029165614221150736, 0.9854171928894246],
    [9, 0.1, 0.9225364479566812, 0.5387317760216594],
    [9, 12.0, 7.699886222985653e-7, 0.9999996150056889],
    [17.3, -2.2, 0.041669595529273844, 0.020834797764636922],
    [30, 5.5, 5.6785729451180685e-6, 0.9999971607135274],
    [120, 1.96, 0.05231367644582758, 0.9738431617770862],
    [1000, -3.3, 0.00100099672500209, 0.000500498362501045],
    [5, 40.0, 1.8411962171772954e-7, 0.9999999079401891],
    [2.5, 1e-6, 0.9999992763825519, 0.5000003618087241],
  ];
  it.each(cases)('df=%f t=%f matches scipy to 1e-12 relative', (df, t, p, cdf) => {
    expect(Math.abs(studentTTwoSidedP(t, df) - p) / p).toBeLessThan(1e-11);
    expect(Math.abs(studentTCdf(t, df) - cdf)).toBeLessThan(1e-12);
  });

  it('regularized incomplete beta matches scipy.special.betainc', () => {
    expect(regularizedIncompleteBeta(0.5, 0.5, 0.3)).toBeCloseTo(0.36901011956554536, 13);
    expect(regularizedIncompleteBeta(2, 3, 0.4)).toBeCloseTo(0.5248, 13);
    expect(regularizedIncompleteBeta(10, 0.5, 0.9)).toBeCloseTo(0.15164090963470994, 13);
    expect(regularizedIncompleteBeta(50, 60, 0.45)).toBeCloseTo(0.4642352914306031, 12);
    expect(regularizedIncompleteBeta(1, 1, 0.77)).toBeCloseTo(0.77, 14);
    expect(Number.isNaN(regularizedIncompleteBeta(1, 1, 1.5))).toBe(true);
  });

  it('handles the edges', () => {
    expect(studentTTwoSidedP(0, 4)).toBe(1);
    expect(studentTTwoSidedP(Number.POSITIVE_INFINITY, 4)).toBe(0);
    expect(Number.isNaN(studentTTwoSidedP(1, 0))).toBe(true);
  });
});

describe('t-tests', () => {
  const a = [47.1, 45.3, 49.8, 46.2, 48.0];
  const b = [44.2, 45.9, 43.1, 46.8, 44.4, 45.0];
  const c = [46.0, 44.9, 48.1, 45.5, 47.9];

  it('Welch matches scipy ttest_ind(equal_var=False)', () => {
    const r = welchTTest(a, b);
    expect(r?.kind).toBe('welch');
    expect(r?.t).toBeCloseTo(2.528388216163595, 12);
    expect(r?.df).toBeCloseTo(7.388916924581498, 12);
    expect(r?.p).toBeCloseTo(0.0376368058176123, 12);
  });

  it('paired matches scipy ttest_rel', () => {
    const r = pairedTTest(a, c);
    expect(r?.kind).toBe('paired');
    expect(r?.t).toBeCloseTo(2.864459496157739, 12);
    expect(r?.df).toBe(4);
    expect(r?.p).toBeCloseTo(0.045723289544755095, 12);
  });

  it('one-sample matches scipy ttest_1samp', () => {
    const r = oneSampleTTest(a, 45.0);
    expect(r?.t).toBeCloseTo(2.944940181510082, 12);
    expect(r?.p).toBeCloseTo(0.04218114805716867, 12);
  });

  it('is undefined for single runs and zero variance', () => {
    expect(welchTTest([1], b)).toBeNull();
    expect(welchTTest([1, 1], [2, 2])).toBeNull();
    expect(pairedTTest([1, 2, 3], [0, 1, 2])).toBeNull();
    expect(() => pairedTTest([1, 2], [1])).toThrow(RangeError);
  });
});

describe('pairBySeed', () => {
  it('pairs runs with the same seeds, ordered by seed', () => {
    const pairs = pairBySeed(
      [
        { seed: 3, value: 30 },
        { seed: 1, value: 10 },
      ],
      [
        { seed: 1, value: 11 },
        { seed: 3, value: 31 },
      ],
    );
    expect(pairs).toEqual({ a: [10, 30], b: [11, 31], seeds: [1, 3] });
  });

  it('refuses different or repeated seeds', () => {
    expect(pairBySeed([{ seed: 1, value: 1 }], [{ seed: 2, value: 1 }])).toBeNull();
    expect(
      pairBySeed(
        [
          { seed: 1, value: 1 },
          { seed: 1, value: 2 },
        ],
        [
          { seed: 1, value: 1 },
          { seed: 2, value: 2 },
        ],
      ),
    ).toBeNull();
    expect(pairBySeed([], [])).toBeNull();
  });
});

describe('bootstrapMeanCI', () => {
  it('is reproducible from its seed and brackets the mean', () => {
    const pct = FEW.map((v) => v * 100);
    const ci = bootstrapMeanCI(pct, { seed: 5, resamples: 2000 });
    expect(ci).toEqual(bootstrapMeanCI(pct, { seed: 5, resamples: 2000 }));
    expect(ci).not.toEqual(bootstrapMeanCI(pct, { seed: 6, resamples: 2000 }));
    expect(ci!.low).toBeLessThan(47.6);
    expect(ci!.high).toBeGreaterThan(47.6);
  });

  it('approaches the normal interval for a large sample', () => {
    // 400 evenly spread values: mean 0.5, std ≈ 0.2894; normal 95% half-width ≈ 1.96·s/√n ≈ 0.0284.
    const xs = Array.from({ length: 400 }, (_, i) => (i + 0.5) / 400);
    const ci = bootstrapMeanCI(xs, { resamples: 4000, seed: 1 })!;
    const half = (1.96 * (sampleStd(xs) as number)) / Math.sqrt(xs.length);
    expect(Math.abs(ci.high - ci.low - 2 * half) / (2 * half)).toBeLessThan(0.1);
    expect(Math.abs((ci.high + ci.low) / 2 - 0.5)).toBeLessThan(0.005);
  });

  it('rejects bad options and empty input', () => {
    expect(bootstrapMeanCI([])).toBeNull();
    expect(() => bootstrapMeanCI([1, 2], { level: 1 })).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1, 2], { resamples: 0 })).toThrow(RangeError);
  });
});

describe('group key', () => {
  it('FNV-1a 64 matches the reference vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('is equal for repeats and differs for real changes', () => {
    const base = defaultRunConfig('imagenetlt');
    const repeat = structuredClone(base);
    repeat.training.tb_logs = '/tmp/logs/run-7';
    const reordered = JSON.parse(
      JSON.stringify({ training: base.training, alphanet: base.alphanet, dataset: base.dataset }),
    );
    expect(configGroupKey(repeat)).toBe(configGroupKey(base));
    expect(configGroupKey(reordered)).toBe(configGroupKey(base));
    const other = structuredClone(base);
    other.training.sampler_args = [{}, { r: '0.2' }];
    expect(configGroupKey(other)).not.toBe(configGroupKey(base));
    expect(configGroupKey(base)).toMatch(/^[0-9a-f]{16}$/);
  });
});
