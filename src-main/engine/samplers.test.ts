import { describe, expect, it } from 'vitest';
import { chiSquareUniform } from '../../src-shared/chisq.ts';
import type { SplitName } from '../../src-shared/dataset.ts';
import { Rng } from '../../src-shared/rng.ts';
import { buildSamplingIndex, drawEpoch, makeSampler, makeSamplers } from './samplers.ts';

// Classes 0–2 many (200, 150, 120), 3–5 medium (60, 40, 25), 6–8 few (10, 6, 4).
const sizes = [200, 150, 120, 60, 40, 25, 10, 6, 4];
const splitOf: SplitName[] = ['many', 'many', 'many', 'medium', 'medium', 'medium', 'few', 'few', 'few'];
const labels = Int32Array.from(sizes.flatMap((n, c) => Array(n).fill(c)));
Rng.fromSeed(0).shuffle(labels as unknown as number[]);
const index = buildSamplingIndex(Int32Array.from(labels), splitOf);
const F = 20;

function countClasses(indices: number[]): number[] {
  const counts = Array(sizes.length).fill(0);
  for (const i of indices) counts[labels[i]]++;
  return counts;
}

describe('samplers', () => {
  it('All*Sampler returns every sample of its split', () => {
    const rng = Rng.fromSeed(1);
    expect(index.nFewSamples).toBe(F);
    expect(countClasses(makeSampler('AllFewSampler', {}, index).draw(rng))).toEqual([0, 0, 0, 0, 0, 0, 10, 6, 4]);
    expect(countClasses(makeSampler('AllBaseSampler', { r: '3' }, index).draw(rng))).toEqual([
      ...sizes.slice(0, 6),
      0,
      0,
      0,
    ]);
    expect(makeSampler('AllMediumSampler', {}, index).draw(rng)).toHaveLength(125);
  });

  it('ClassBalancedBaseSampler draws exactly int(r·F) samples, uniform over classes (chi-square, 200 draws)', () => {
    const sampler = makeSampler('ClassBalancedBaseSampler', { r: '1.5' }, index);
    const rng = Rng.fromSeed(2);
    const total = Array(6).fill(0);
    for (let draw = 0; draw < 200; draw++) {
      const got = sampler.draw(rng);
      expect(got).toHaveLength(Math.trunc(1.5 * F));
      countClasses(got)
        .slice(0, 6)
        .forEach((c, i) => (total[i] += c));
      expect(countClasses(got).slice(6)).toEqual([0, 0, 0]);
    }
    expect(chiSquareUniform(total).pValue).toBeGreaterThan(0.001);
    // The image sampler, by contrast, follows class sizes: far from uniform over classes.
    const images = makeSampler('UniformBaseImageSampler', { r: '1.5' }, index);
    const imageTotal = Array(6).fill(0);
    for (let draw = 0; draw < 200; draw++)
      countClasses(images.draw(rng))
        .slice(0, 6)
        .forEach((c, i) => (imageTotal[i] += c));
    expect(chiSquareUniform(imageTotal).pValue).toBeLessThan(1e-6);
    expect(makeSampler('ClassBalancedManySampler', { r: '0.33' }, index).draw(rng)).toHaveLength(Math.trunc(0.33 * F));
  });

  it('Uniform*ClassSampler takes int(#few·r) distinct classes, each sized like a distinct few class', () => {
    const sampler = makeSampler('UniformBaseClassSampler', { r: '1' }, index);
    const rng = Rng.fromSeed(3);
    for (let draw = 0; draw < 20; draw++) {
      const counts = countClasses(sampler.draw(rng));
      const used = counts.slice(0, 6).filter((c) => c > 0);
      expect(used).toHaveLength(3);
      expect([...used].sort((a, b) => a - b)).toEqual([4, 6, 10]);
    }
    expect(() => makeSampler('UniformManyClassSampler', { r: '2' }, index)).toThrow(/asks for 6 classes/);
  });

  it('an epoch concatenates every sampler and shuffles; args apply to all or one each', () => {
    const samplers = makeSamplers(['AllFewSampler', 'ClassBalancedBaseSampler'], [{}, { r: '0.5' }], index);
    const epoch = drawEpoch(samplers, Rng.fromSeed(4));
    expect(epoch).toHaveLength(F + 10);
    expect(countClasses(epoch).slice(6)).toEqual([10, 6, 4]);
    expect(makeSamplers(['AllFewSampler', 'ClassBalancedBaseSampler'], [{ r: '0.5' }], index)).toHaveLength(2);
    expect(() => makeSamplers(['AllFewSampler', 'AllBaseSampler', 'AllManySampler'], [{}, {}], index)).toThrow(
      /need 3/,
    );
    expect(() => makeSampler('ClassBalancedBaseSampler', { r: 'abc' }, index)).toThrow(/r=abc/);
    expect(() => makeSampler('ClassBalancedBaseSampler', { q: '1' }, index)).toThrow(/unknown argument 'q'/);
    expect(() => makeSampler('FancySampler', {}, index)).toThrow(/unknown sampler/);
  });
});
