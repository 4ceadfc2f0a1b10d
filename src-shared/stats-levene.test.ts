import { describe, expect, it } from 'vitest';
import { fDistSf, leveneTest, studentTTwoSidedP } from './stats.ts';

describe("F distribution and Levene's test", () => {
  it('F(2, d2) has the closed form (1 + 2f/d2)^(−d2/2); F(1, d) is t(d)²', () => {
    for (const f of [0.1, 1, 4.102821015130399, 20]) expect(fDistSf(f, 2, 10)).toBeCloseTo((1 + f / 5) ** -5, 12);
    expect(fDistSf(4.102821015130399, 2, 10)).toBeCloseTo(0.05, 9);
    for (const t of [0.5, 1.27, 3]) expect(fDistSf(t * t, 1, 8)).toBeCloseTo(studentTTwoSidedP(t, 8), 12);
    expect(fDistSf(0, 3, 7)).toBe(1);
    expect(fDistSf(Number.POSITIVE_INFINITY, 3, 7)).toBe(0);
  });

  it('is the ANOVA on absolute deviations from the group medians (Brown–Forsythe), worked by hand', () => {
    // |x − median|: a → 2,1,0,1,2 (mean 1.2); b → 4,2,0,2,14 (mean 4.4); grand mean 2.8.
    // Between = 5·1.6² + 5·1.6² = 25.6 (df 1); within = 2.8 + 123.2 = 126 (df 8); W = 25.6 / 15.75.
    const r = leveneTest([
      [1, 2, 3, 4, 5],
      [2, 4, 6, 8, 20],
    ]);
    expect(r?.w).toBeCloseTo(25.6 / 15.75, 12);
    expect([r?.df1, r?.df2]).toEqual([1, 8]);
    expect(r?.p).toBeCloseTo(studentTTwoSidedP(Math.sqrt(25.6 / 15.75), 8), 12);
    // Centred on the means instead: a → 2,1,0,1,2; b mean 8 → 6,4,2,0,12 (mean 4.8).
    const m = leveneTest(
      [
        [1, 2, 3, 4, 5],
        [2, 4, 6, 8, 20],
      ],
      'mean',
    );
    // Between = 5·(1.2 − 3)² + 5·(4.8 − 3)² = 32.4; within = 2.8 + (1.44 + 0.64 + 7.84 + 23.04 + 51.84) = 87.6.
    expect(m?.w).toBeCloseTo(32.4 / (87.6 / 8), 12);
  });

  it('finds a real difference in spread and none between shifted copies', () => {
    const narrow = Array.from({ length: 40 }, (_, i) => Math.sin(i) * 0.1);
    const wide = narrow.map((x) => x * 5);
    expect(leveneTest([narrow, wide])?.p).toBeLessThan(1e-6);
    expect(leveneTest([narrow, narrow.map((x) => x + 3)])?.p).toBeCloseTo(1, 12);
    expect(leveneTest([[1, 2, 3]])).toBeNull();
    expect(
      leveneTest([
        [1, 1],
        [2, 2],
      ]),
    ).toBeNull();
  });
});
