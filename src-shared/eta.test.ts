import { describe, expect, it } from 'vitest';
import { etaSeconds, runFraction } from './eta.ts';

describe('the ETA of a training run', () => {
  it('counts the batches done of every epoch', () => {
    expect(runFraction(1, 10, 40, 25)).toBeCloseTo(0.25 / 25);
    expect(runFraction(13, 40, 40, 25)).toBeCloseTo(13 / 25);
    expect(runFraction(25, 40, 40, 25)).toBe(1);
    expect(runFraction(1, 1, 0, 25)).toBe(0);
  });

  it('goes by the pace since the run last started or resumed, not by what ran before', () => {
    // Resumed at 80 %: 10 % more in 60 s, so the last 10 % take another 60 s — however long the first 80 % took.
    expect(etaSeconds({ done: 0.8, t: 1_000 }, { done: 0.9, t: 61_000 })).toBeCloseTo(60);
    // A fresh run at the same pace: 40 % in 240 s, 60 % to go.
    expect(etaSeconds({ done: 0, t: 0 }, { done: 0.4, t: 240_000 })).toBeCloseTo(360);
    expect(etaSeconds({ done: 0.5, t: 0 }, { done: 1, t: 10_000 })).toBe(0);
  });

  it('has no ETA before there is a pace', () => {
    expect(etaSeconds({ done: 0.3, t: 5 }, { done: 0.3, t: 5 })).toBeNull();
    expect(etaSeconds({ done: 0.3, t: 5 }, { done: 0.3, t: 900 })).toBeNull();
  });
});
