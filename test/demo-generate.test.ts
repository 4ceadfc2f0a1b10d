import { describe, expect, it } from 'vitest';
import { Rng } from '../src-shared/rng.ts';
import {
  Gaussian,
  assignSizes,
  generateDemo,
  longTailSizes,
  predict,
  splitAccuracy,
  splitOfTrainSize,
  trainSoftmaxRegression,
  type DemoParams,
} from '../scripts/demo/generate.ts';

describe('demo size profile', () => {
  it('applies the split rule at its boundaries', () => {
    expect([4, 19, 20, 100, 101, 300].map(splitOfTrainSize)).toEqual([
      'few',
      'few',
      'medium',
      'medium',
      'many',
      'many',
    ]);
  });

  it('lays out exactly the asked number of classes per split, descending from max to min', () => {
    const sizes = longTailSizes({ many: 36, medium: 42, few: 22 }, 300, 4);
    expect(sizes).toHaveLength(100);
    expect(sizes[0]).toBe(300);
    expect(sizes[99]).toBe(4);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
    const count = (s: string): number => sizes.filter((n) => splitOfTrainSize(n) === s).length;
    expect([count('many'), count('medium'), count('few')]).toEqual([36, 42, 22]);
  });

  it('rejects bands that the split rule cannot hold', () => {
    expect(() => longTailSizes({ many: 1, medium: 1, few: 1 }, 100, 4)).toThrow(RangeError);
    expect(() => longTailSizes({ many: 1, medium: 1, few: 1 }, 300, 20)).toThrow(RangeError);
  });

  it('gives pinned few classes few sizes and their anchors many sizes, keeping the sizes', () => {
    const sizes = longTailSizes({ many: 3, medium: 3, few: 3 }, 300, 4);
    for (let seed = 0; seed < 20; seed++) {
      const got = assignSizes(
        sizes,
        [
          [0, 1],
          [2, 3],
        ],
        Rng.fromSeed(seed),
      );
      expect([...got].sort((a, b) => a - b)).toEqual([...sizes].sort((a, b) => a - b));
      expect(splitOfTrainSize(got[0])).toBe('few');
      expect(splitOfTrainSize(got[2])).toBe('few');
      expect(splitOfTrainSize(got[1])).toBe('many');
      expect(splitOfTrainSize(got[3])).toBe('many');
    }
  });
});

describe('demo math', () => {
  it('draws standard normals', () => {
    const g = new Gaussian(Rng.fromSeed(5));
    const n = 40000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = g.next();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
  });

  it('predicts the argmax of x·Wᵀ + b, ties to the lower class', () => {
    const weight = Float32Array.from([1, 0, 0, 1, 1, 0]); // 3 classes × 2 dims
    const bias = Float32Array.from([0, 0, 0]);
    const feats = Float32Array.from([2, 1, 0, 3, 1, 1]);
    expect(Array.from(predict(feats, 3, weight, bias))).toEqual([0, 1, 0]);
    bias[2] = 0.5;
    expect(Array.from(predict(feats, 3, weight, bias))).toEqual([2, 1, 2]);
  });

  it('scores accuracy by the split of the true label', () => {
    const acc = splitAccuracy(Int32Array.from([0, 1, 1, 2]), [0, 1, 2, 2], ['many', 'medium', 'few']);
    expect(acc).toEqual({ many: 1, medium: 1, few: 0.5, overall: 0.75 });
  });

  it('fits separable clusters with softmax regression, the same way every time', () => {
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2];
    const feats = Float32Array.from(labels.flatMap((y, i) => [y === 0 ? 3 : 0, y === 1 ? 3 : 0, 0.1 * i]));
    const set = { feats, labels, n: labels.length };
    const opts = { epochs: 50, batchSize: 4, lr: 0.1, weightDecay: 0 };
    const a = trainSoftmaxRegression(set, 3, 3, opts, Rng.fromSeed(1));
    const b = trainSoftmaxRegression(set, 3, 3, opts, Rng.fromSeed(1));
    expect(b.weight).toEqual(a.weight);
    const pred = predict(feats, labels.length, Float32Array.from(a.weight), Float32Array.from(a.bias));
    expect(Array.from(pred)).toEqual(labels);
  });
});

describe('generateDemo', () => {
  const params: DemoParams = {
    seed: 3,
    dim: 8,
    splitClassCounts: { many: 2, medium: 2, few: 2 },
    maxTrain: 120,
    minTrain: 5,
    valPerClass: 2,
    testPerClass: 3,
    groupScale: 1,
    classScale: 0.35,
    fewOffset: 0.55,
    sigma: 1,
    sigmaJitter: 0.1,
    clfEpochs: 3,
    clfBatchSize: 32,
    clfLr: 0.1,
    clfWeightDecay: 1e-4,
  };
  const classes = ['n003', 'n001', 'n002', 'n006', 'n005', 'n004'].map((wnid, i) => ({
    wnid,
    group: i < 3 ? 'a' : 'b',
  }));

  it('orders classes by wnid, follows the split rule and anchors few classes on a base class of their group', () => {
    const demo = generateDemo(params, classes, [['n006', 'n004']]);
    expect(demo.classes.map((c) => c.wnid)).toEqual(['n001', 'n002', 'n003', 'n004', 'n005', 'n006']);
    demo.trainSizes.forEach((n, c) => expect(demo.splitOf[c]).toBe(splitOfTrainSize(n)));
    expect(demo.splitOf[5]).toBe('few');
    expect(demo.fewAnchor.get(5)).toBe(3);
    for (const [few, anchor] of demo.fewAnchor) {
      expect(demo.splitOf[few]).toBe('few');
      expect(demo.splitOf[anchor]).not.toBe('few');
    }
    expect(demo.datagrps.train.n).toBe(demo.trainSizes.reduce((a, b) => a + b, 0));
    expect(demo.datagrps.test.labels.filter((y) => y === 2)).toHaveLength(3);
    expect(demo.datagrps.val.feats).toHaveLength(12 * 8);
    expect(demo.classifier.weight).toHaveLength(6 * 8);
    // Rows are shuffled: labels are not in blocks.
    const train = demo.datagrps.train.labels;
    expect(train.some((y, i) => i > 0 && y < train[i - 1])).toBe(true);
  });

  it('repeats bit for bit from the same parameters and changes with the seed', () => {
    const a = generateDemo(params, classes, []);
    const b = generateDemo(params, classes, []);
    const c = generateDemo({ ...params, seed: 4 }, classes, []);
    expect(b.datagrps.train.feats).toEqual(a.datagrps.train.feats);
    expect(b.classifier.weight).toEqual(a.classifier.weight);
    expect(c.datagrps.test.feats).not.toEqual(a.datagrps.test.feats);
  });

  it('rejects split counts that miss the class count and pinned pairs across groups', () => {
    expect(() => generateDemo({ ...params, splitClassCounts: { many: 1, medium: 1, few: 1 } }, classes, [])).toThrow(
      /add up/,
    );
    expect(() => generateDemo(params, classes, [['n001', 'n006']])).toThrow(/two groups/);
  });
});
