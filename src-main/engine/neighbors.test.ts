import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classDistances, classMeans, computeNeighbors, loadNeighbors, smallestK } from './neighbors.ts';
import { makeSyntheticDataset } from './synthetic.ts';

describe('nearest neighbours', () => {
  it('orders by ascending distance with ties to the lower index', () => {
    const d = Float64Array.from([0.5, 0.2, 0.2, 0.1, 0.9]);
    expect(smallestK(d, 1, 5, 4)).toEqual([[3, 1, 2, 0]]);
  });

  it('computes euclidean and cosine distances between class means in float64', () => {
    // Class 0 mean (1,0), class 1 mean (0,2), class 2 mean (3,0).
    const grp = {
      feats: Float32Array.from([1, 0, 0, 1, 0, 3, 3, 0]),
      labels: Int32Array.from([0, 1, 1, 2]),
      n: 4,
      files: [],
    };
    const means = classMeans(grp, 2, 3);
    expect(Array.from(means)).toEqual([1, 0, 0, 2, 3, 0]);
    expect(Array.from(classDistances(means, 2, [0], [1, 2], 'euclidean', null))).toEqual([Math.sqrt(5), 2]);
    expect(Array.from(classDistances(means, 2, [0], [1, 2], 'cosine', null))).toEqual([1, 0]);
  });

  it('finds base neighbours only, checks k, and caches per metric/k (random keyed by seed)', () => {
    const ds = makeSyntheticDataset({
      nClasses: 20,
      dim: 6,
      maxPerClass: 200,
      minPerClass: 5,
      valPerClass: 2,
      testPerClass: 2,
      seed: 9,
    });
    const base = new Set([...ds.splits.many, ...ds.splits.medium]);
    const t = computeNeighbors(ds, 4, 'euclidean', null);
    expect(t.few).toEqual(ds.splits.few);
    for (const row of t.neighbors) {
      expect(row).toHaveLength(4);
      expect(row.every((c) => base.has(c))).toBe(true);
    }
    expect(() => computeNeighbors(ds, 0, 'euclidean', null)).toThrow(/neighbours \(0\) must be a whole number ≥ 1/);
    expect(() => computeNeighbors(ds, base.size, 'euclidean', null)).toThrow(/less than the number of base classes/);
    const r1 = computeNeighbors(ds, 3, 'random', 1);
    expect(computeNeighbors(ds, 3, 'random', 1)).toEqual(r1);
    expect(computeNeighbors(ds, 3, 'random', 2).neighbors).not.toEqual(r1.neighbors);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-nn-'));
    try {
      const first = loadNeighbors(ds, 3, 'cosine', 0, { cacheRoot: root });
      const files = fs
        .readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      expect(loadNeighbors(ds, 3, 'cosine', 0, { cacheRoot: root })).toEqual(first);
      loadNeighbors(ds, 3, 'random', 7, { cacheRoot: root });
      expect(
        fs
          .readdirSync(root, { recursive: true })
          .map(String)
          .filter((f) => f.includes('random_3_seed7')),
      ).toHaveLength(1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
