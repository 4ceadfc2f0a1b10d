import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('repeats a sequence from the same seed and stream, and differs across streams', () => {
    const a = Rng.fromSeed(42, 'x');
    const b = Rng.fromSeed(42, 'x');
    const c = Rng.fromSeed(42, 'y');
    const seqA = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(seqA);
  });

  it('resumes exactly from a saved state', () => {
    const a = Rng.fromSeed(7);
    for (let i = 0; i < 5; i++) a.nextFloat();
    const b = Rng.fromState(a.state());
    expect(Array.from({ length: 5 }, () => b.nextFloat())).toEqual(Array.from({ length: 5 }, () => a.nextFloat()));
  });

  it('draws floats in [0,1) with mean near 1/2 and unbiased integers', () => {
    const r = Rng.fromSeed(1);
    let sum = 0;
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) {
      const f = r.nextFloat();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      sum += f;
      counts[r.nextInt(3)]++;
    }
    expect(sum / 30000).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });

  it('samples without replacement and shuffles to a permutation', () => {
    const r = Rng.fromSeed(3);
    const drawn = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(drawn).size).toBe(3);
    expect(() => r.sample([1, 2], 3)).toThrow(RangeError);
    expect(r.shuffle([...Array(10).keys()]).sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
  });
});
