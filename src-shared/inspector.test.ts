import { describe, expect, it } from 'vitest';
import {
  buildInspectorData,
  histogram,
  linearRegression,
  plotCsv,
  PLOT_NAMES,
  predictionChanges,
  splitAccuracy,
  toCsv,
  type InspectorInput,
} from './inspector.ts';
import type { SplitName } from './report/combos.ts';

describe('linearRegression', () => {
  it('matches the hand-computed least-squares line and Pearson r', () => {
    // mean x 2.5, mean y 3.75; Sxx 5, Sxy 3.5, Syy 4.75.
    const fit = linearRegression([1, 2, 3, 4], [2, 4, 5, 4]);
    expect(fit.n).toBe(4);
    expect(fit.slope).toBeCloseTo(0.7, 12);
    expect(fit.intercept).toBeCloseTo(2.0, 12);
    expect(fit.r).toBeCloseTo(3.5 / Math.sqrt(23.75), 12);
    expect(fit.r).toBeCloseTo(0.718185, 6);
  });

  it('gives r = -1 on a falling line and nulls without spread or points', () => {
    expect(linearRegression([0, 1, 2], [5, 3, 1])).toEqual({ n: 3, slope: -2, intercept: 5, r: -1 });
    expect(linearRegression([1, 1, 1], [1, 2, 3])).toEqual({ n: 3, slope: null, intercept: null, r: null });
    expect(linearRegression([1, 2], [3, 3]).r).toBeNull();
    expect(linearRegression([1], [1]).slope).toBeNull();
    expect(() => linearRegression([1, 2], [1])).toThrow(/2 x values but 1 y values/);
  });
});

describe('predictionChanges', () => {
  // Classes 0..4; few classes 3 (neighbours 0, 1) and 4 (neighbour 2); sample 6 is a base class.
  const labels = [3, 3, 3, 3, 4, 4, 0];
  const baseline = [3, 0, 2, 1, 2, 4, 0];
  const runs = [
    [3, 3, 0, 2, 4, 2, 1],
    [0, 3, 2, 1, 4, 4, 0],
  ];
  const nns = new Map([
    [3, new Set([0, 1])],
    [4, new Set([2])],
  ]);
  const isNeighbour = (y: number, yhat: number) => nns.get(y)?.has(yhat) === true;

  it('counts every few-class test sample once per run by (baseline status, AlphaNet status)', () => {
    const p = predictionChanges(labels, baseline, runs, new Set([3, 4]), isNeighbour, 'nearest');
    expect(p.total).toBe(12);
    expect(p.baseline).toEqual({ correct: 4, neighbour: 6, other: 2 });
    expect(p.alphanet).toEqual({ correct: 6, neighbour: 4, other: 2 });
    expect(p.transitions).toEqual({
      correct: { correct: 2, neighbour: 2, other: 0 },
      neighbour: { correct: 4, neighbour: 1, other: 1 },
      other: { correct: 0, neighbour: 1, other: 1 },
    });
  });
});

describe('histogram', () => {
  it('shares equal-width edges over every series, the last bin closed', () => {
    expect(histogram([[0, 1, 2, 3, 4], [4]], 4)).toEqual({
      edges: [0, 1, 2, 3, 4],
      counts: [
        [1, 1, 1, 2],
        [0, 0, 0, 1],
      ],
    });
    expect(histogram([[2, 2]], 2)).toEqual({ edges: [1.5, 2, 2.5], counts: [[0, 2]] });
    expect(() => histogram([[1]], 0)).toThrow(/bins/);
  });
});

describe('toCsv', () => {
  it('quotes text with commas or quotes and leaves unknown numbers empty', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x, "y"', 1.5],
          [null, NaN],
        ],
      ),
    ).toBe('a,b\n"x, ""y""",1.5\n,\n');
  });
});

/** Classes: 0 many, 1 many, 2 medium, 3 few (neighbours 0, 1), 4 few (neighbours 1, 2). */
function smallInput(): InspectorInput {
  const splitOf: SplitName[] = ['many', 'many', 'medium', 'few', 'few'];
  return {
    dataset: { key: 'toy', displayName: 'Toy' },
    experiment: 'toy exp',
    classNames: ['a', 'b', 'c', 'd', 'e'],
    wnids: null,
    splitOf,
    trainSamplesPerClass: [100, 80, 40, 5, 3],
    testLabels: [0, 0, 1, 2, 3, 3, 3, 3, 4, 4],
    baseline: { runId: 7, predictions: [0, 0, 1, 2, 0, 0, 1, 3, 2, 2] },
    runs: [
      {
        id: 8,
        seed: 1,
        predictions: [0, 3, 1, 2, 3, 3, 0, 3, 4, 2],
        alphas: new Map([
          [3, [0.5, -0.5]],
          [4, [1, 0]],
        ]),
      },
      {
        id: 9,
        seed: 2,
        predictions: [0, 0, 1, 2, 3, 0, 1, 3, 4, 4],
        alphas: new Map([
          [3, [0.3, -0.7]],
          [4, [0.2, 0.8]],
        ]),
      },
    ],
    neighbours: new Map([
      [3, { classes: [0, 1], distances: [1, 3] }],
      [4, { classes: [1, 2], distances: [2, 4] }],
    ]),
    distanceMetric: 'euclidean',
    wordnet: null,
  };
}

describe('buildInspectorData', () => {
  const data = buildInspectorData(smallInput());

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('gives accuracies per split, per run and their mean and change', () => {
    expect(data.baseline).toEqual({ few: 1 / 6, medium: 1, many: 1, overall: 0.5 });
    expect(data.runs.map((r) => r.accuracy.few)).toEqual([4 / 6, 4 / 6]);
    expect(data.alphanet.few).toBeCloseTo(4 / 6, 12);
    expect(data.alphanet.many).toBeCloseTo(5 / 6, 12);
    expect(data.delta.few).toBeCloseTo(0.5, 12);
  });

  it("lists each few class's combination, confusions and reverse confusions", () => {
    const d = data.fewClasses.find((f) => f.classId === 3)!;
    expect(d).toMatchObject({
      name: 'd',
      split: 'few',
      trainSamples: 5,
      testSamples: 4,
      baselineAcc: 0.25,
      alphanetAccPerRun: [0.75, 0.5],
      meanNeighbourDistance: 2,
    });
    expect(d.alphanetAcc).toBeCloseTo(0.625, 12);
    expect(d.delta).toBeCloseTo(0.375, 12);
    expect(d.combination.map((t) => [t.classId, t.distance, t.alphaPerRun])).toEqual([
      [0, 1, [0.5, 0.3]],
      [1, 3, [-0.5, -0.7]],
    ]);
    expect(d.combination[0]!.alphaMean).toBeCloseTo(0.4, 12);
    expect(d.combination[0]!.alphaStd).toBeCloseTo(Math.sqrt(0.02), 12);
    // Baseline: d → a twice, d → b once; run 1: d → a once; run 2: d → a once, d → b once.
    expect(d.baselineMistakes.map((c) => [c.classId, c.baseline, c.alphanetPerRun])).toEqual([
      [0, 2, [1, 1]],
      [1, 1, [0, 1]],
    ]);
    expect(d.alphanetMistakes.map((c) => c.classId)).toEqual([0, 1]);
    // Only run 1 predicts a sample of a as d.
    expect(d.reverseConfusions.map((c) => [c.classId, c.split, c.baseline, c.alphanetPerRun, c.alphanetMean])).toEqual([
      [0, 'many', 0, [1, 0], 0.5],
    ]);
    expect(d.baselineMistakes[0]!.wordnet).toBeNull();
    expect(d.synset).toBeNull();
  });

  it('builds the plot data', () => {
    const p = data.plots;
    // Δ: d 0.375 at distance 2; e: baseline 0, runs 0.5 and 1 → 0.75 at distance 3.
    expect(p.deltaVsDistance.points.map((q) => [q.classId, q.meanDistance])).toEqual([
      [3, 2],
      [4, 3],
    ]);
    expect(p.deltaVsDistance.fit.slope).toBeCloseTo(0.375, 12);
    expect(p.accVsSamples.points).toHaveLength(5);
    // Baseline accuracies 1, 1, 1, 0.25, 0 against log10 of 100, 80, 40, 5, 3 training samples.
    const xs = [100, 80, 40, 5, 3].map(Math.log10);
    expect(p.accVsSamples.fits.baseline).toEqual(linearRegression(xs, [1, 1, 1, 0.25, 0]));
    expect(p.accVsSamples.fits.baseline.slope!).toBeGreaterThan(0);
    const few = p.deltaBySplit.splits.find((s) => s.split === 'few')!;
    expect(few.classes.map((c) => c.classId)).toEqual([4, 3]);
    expect(few.meanDelta).toBeCloseTo(0.5, 12);
    expect(p.alphaDistribution.coefficients.map((c) => c.values)).toEqual([
      [0.5, 0.3, 1, 0.2],
      [-0.5, -0.7, 0, 0.8],
    ]);
    expect(p.alphaDistribution.coefficients.map((c) => c.counts.reduce((a, b) => a + b, 0))).toEqual([4, 4]);
    expect(p.predictionChanges.total).toBe(12);
    expect(p.semanticAccuracy).toBeNull();
    expect(plotCsv(p, 'semanticAccuracy')).toBeNull();
    for (const name of PLOT_NAMES.filter((n) => !n.startsWith('semantic')))
      expect(plotCsv(p, name)!.split('\n').length).toBeGreaterThan(2);
    expect(plotCsv(p, 'deltaVsDistance')!.split('\n')[0]).toBe(
      'class_id,name,mean_neighbour_distance_euclidean,delta_acc,fit_slope,fit_intercept,pearson_r',
    );
  });

  it('rejects inconsistent input', () => {
    const bad = smallInput();
    bad.runs = [{ ...bad.runs[0]!, alphas: new Map([[3, [1]]]) }];
    expect(() => buildInspectorData(bad)).toThrow(/few class 3 needs 2 coefficients/);
    expect(() => buildInspectorData({ ...smallInput(), runs: [] })).toThrow(/no finished runs/);
  });
});

describe('splitAccuracy', () => {
  it('counts by the split of the true label with a custom rule', () => {
    const near = (y: number, yhat: number) => Math.abs(y - yhat) <= 1;
    expect(splitAccuracy([0, 1, 2], [1, 1, 0], ['few', 'many', 'many'], near)).toEqual({
      few: 1,
      medium: null,
      many: 0.5,
      overall: 2 / 3,
    });
  });
});
