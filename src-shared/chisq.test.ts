import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, chiSquareUniform, gammaQ } from './chisq.ts';

describe('chi-square survival function', () => {
  it('matches closed forms and table values', () => {
    // dof 2: sf(x) = exp(−x/2).
    for (const x of [0.1, 1, 5, 20]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
    // Q(1, x) = exp(−x); dof 1: sf(3.841458820694124) = 0.05 (scipy.stats.chi2.sf).
    expect(gammaQ(1, 2.5)).toBeCloseTo(Math.exp(-2.5), 12);
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    // scipy: chi2.sf(30, 19) = 0.05179845889302389; chi2.isf(0.001, 10) = 29.58829844507442.
    expect(chiSquareSurvival(30, 19)).toBeCloseTo(0.05179845889302389, 10);
    expect(chiSquareSurvival(29.58829844507442, 10)).toBeCloseTo(0.001, 8);
    expect(chiSquareSurvival(0, 4)).toBe(1);
  });

  it('scores uniform counts', () => {
    expect(chiSquareUniform([10, 10, 10]).statistic).toBe(0);
    expect(chiSquareUniform([10, 10, 10]).pValue).toBe(1);
    const skewed = chiSquareUniform([100, 0, 0, 0]);
    expect(skewed.statistic).toBe(300);
    expect(skewed.pValue).toBeLessThan(1e-50);
  });
});
