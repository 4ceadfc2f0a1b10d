import { describe, expect, it } from 'vitest';
import {
  README_BASELINE,
  README_R01,
  README_R02,
  evalMetrics,
  seriesMetrics,
  type SplitSeries,
} from '../../../test/results-fixture.ts';
import { compareExperiments, type ExperimentInput } from '../../../src-shared/compare.ts';
import type { CompareDataset } from '../../../src-shared/compare-groups.ts';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import { mergedRowNames } from '../../../src-shared/export/format.ts';
import {
  cellView,
  defaultSelection,
  exportFileName,
  pruneSelection,
  selectionText,
  significanceOf,
} from './compare-view.ts';

function experiment(name: string, series: SplitSeries, n = series.few.length): ExperimentInput {
  return {
    name,
    dataset: 'inlt',
    runs: series.few.slice(0, n).map((_, i) => ({
      seed: i,
      test: seriesMetrics(series, i),
      val: null,
      config: defaultRunConfig('inlt'),
      selection: 'best-val',
    })),
  };
}
const b = README_BASELINE;
const baseline: ExperimentInput = {
  name: 'Baseline',
  isBaseline: true,
  dataset: 'inlt',
  runs: [
    { seed: null, test: evalMetrics(b.few, b.medium, b.many, b.overall), val: null, config: null, selection: null },
  ],
};

describe('Compare view cells', () => {
  const c = compareExperiments([baseline, experiment('r=0.1', README_R01), experiment('one run', README_R02, 1)], {
    reference: 'Baseline',
  });
  const [base, r01, single] = c.rows;

  it('show mean ± std with n, or the signed Δ to the baseline with the summary on hover', () => {
    expect(cellView(r01.cells.few, r01, false)).toEqual({
      main: '47.6',
      std: '± 1.60',
      n: 10,
      title: 'mean 47.6 ± 1.60 over 10 runs',
    });
    expect(cellView(r01.cells.few, r01, true)).toEqual({
      main: '+20.2',
      std: null,
      n: 10,
      title: '+20.2 points vs the baseline; mean 47.6 ± 1.60 over 10 runs',
    });
    // The baseline keeps its numbers when Δ is on; a single run has no std.
    expect(cellView(base.cells.few, base, true)).toMatchObject({
      main: '27.4',
      std: null,
      n: 1,
      title: 'mean 27.4 over 1 run',
    });
    expect(cellView(single.cells.many, single, false).std).toBeNull();
    const top5 = compareExperiments([experiment('r=0.1', README_R01)], { metric: { datagrp: 'test', metric: 'top5' } })
      .rows[0];
    expect(cellView(top5.cells.few, top5, false)).toEqual({ main: '–', std: null, n: 0, title: 'no value' });
  });

  it('mark a significant difference from the reference with the p-value and the test used', () => {
    const few = significanceOf(r01.cells.few, c.reference);
    expect(few).toEqual({
      significant: true,
      title: 'p < 0.0001, one-sample t-test against the single run vs Baseline',
    });
    expect(significanceOf(base.cells.few, c.reference)).toBeNull();
    // One run against one run: no test.
    expect(significanceOf(single.cells.few, c.reference)).toBeNull();
    const close = compareExperiments(
      [
        experiment('a', README_R01),
        {
          ...experiment('b', README_R01),
          runs: experiment('b', README_R01).runs.map((r, i) => ({ ...r, seed: i + 100 })),
        },
      ],
      {
        reference: 'a',
      },
    );
    expect(significanceOf(close.rows[1].cells.few, close.reference)).toEqual({
      significant: false,
      title: "p = 1.000, Welch's t-test vs a",
    });
  });

  it('name the model-selection rule', () => {
    expect([base, r01].map(selectionText)).toEqual(['–', 'best val']);
    expect(selectionText({ ...r01, selection: 'min-epochs' })).toBe('epoch min_epochs');
  });
});

describe('Compare view choices', () => {
  const datasets: CompareDataset[] = [
    {
      dataset: 'inlt',
      displayName: 'ImageNet-LT',
      baselineRunId: 1,
      groups: [
        {
          id: 'experiment:a',
          kind: 'experiment',
          name: 'a',
          label: '',
          experiments: ['a'],
          configHashes: ['h1', 'h2'],
          runIds: [2, 3],
        },
        {
          id: 'config:h1',
          kind: 'config',
          name: 'a: k=3',
          label: 'k=3',
          experiments: ['a'],
          configHashes: ['h1'],
          runIds: [2],
        },
      ],
    },
    { dataset: 'places lt', displayName: 'Places', baselineRunId: null, groups: [] },
  ];

  it('start with every named experiment and keep only groups that still exist', () => {
    expect(defaultSelection(datasets)).toEqual({ inlt: ['experiment:a'], 'places lt': [] });
    expect(
      pruneSelection(
        { inlt: ['config:h1', 'config:gone'], 'places lt': ['experiment:x'], other: ['experiment:a'] },
        datasets,
      ),
    ).toEqual({ inlt: ['config:h1'] });
  });

  it('name exported files after the datasets, and offer every row as the reference', () => {
    const c = compareExperiments([baseline, experiment('r=0.1', README_R01)]);
    expect(exportFileName([c], 'latex')).toBe('comparison-inlt.tex');
    expect(exportFileName([{ ...c, dataset: 'places lt' }, c], 'csv-means')).toBe('comparison-places_lt-inlt.csv');
    expect(exportFileName([], 'markdown')).toBe('comparison-empty.md');
    // The reference row's choices: every row name across the datasets, as the exports merge them.
    expect(
      mergedRowNames([c, compareExperiments([experiment('r=0.1', README_R01), experiment('x', README_R02)])]),
    ).toEqual(['Baseline', 'r=0.1', 'x']);
  });
});
