import { describe, expect, it } from 'vitest';
import { debiasedEma } from './smoothing.ts';

describe('debiasedEma (TensorBoard scalar smoothing)', () => {
  it('leaves the first point unchanged', () => {
    expect(debiasedEma([3.5, 1, 2], 0.9)[0]).toBeCloseTo(3.5, 12);
  });

  it('matches hand-computed values on a 4-point series', () => {
    // w = 0.6: last = 0.4·1 = 0.4 → /0.4 = 1; last = 0.24 + 0.8 = 1.04 → /0.64 = 1.625;
    // last = 0.624 + 1.6 = 2.224 → /0.784 = 2.836734…; last = 1.3344 + 0 = 1.3344 → /0.8704 = 1.533088…
    const out = debiasedEma([1, 2, 4, 0], 0.6);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(1.625, 12);
    expect(out[2]).toBeCloseTo(2.224 / 0.784, 12);
    expect(out[3]).toBeCloseTo(1.3344 / 0.8704, 12);
  });

  it('keeps a constant series constant, exactly', () => {
    expect(debiasedEma([0.1, 0.1, 0.1, 0.1], 0.95)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('passes non-finite points through without touching the average', () => {
    const out = debiasedEma([1, Number.NaN, 2, Number.POSITIVE_INFINITY, 4], 0.6);
    const ref = debiasedEma([1, 2, 4], 0.6);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Number.POSITIVE_INFINITY);
    expect([out[0], out[2], out[4]]).toEqual(ref);
  });

  it('weight 0 is the raw series', () => {
    expect(debiasedEma([5, 7, 9], 0)).toEqual([5, 7, 9]);
  });

  it('rejects a weight outside [0, 1]', () => {
    expect(() => debiasedEma([1], 1.5)).toThrow(/not in \[0, 1\]/);
  });
});
