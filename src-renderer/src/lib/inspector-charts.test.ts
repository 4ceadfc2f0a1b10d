import type { BarSeriesOption, CustomSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts';
import { describe, expect, it } from 'vitest';
import type { SemanticAccuracy } from '../../../src-shared/inspector.ts';
import {
  accVsSamplesOption,
  alphaDistributionOption,
  combinationOption,
  deltaBySplitOption,
  deltaVsDistanceOption,
  predictionChangesOption,
  semanticAccuracyOption,
  signed,
  SPLIT_COLORS,
} from './inspector-charts.ts';
import { toyInspectorData } from './inspector-fixture.test-data.ts';

const data = toyInspectorData();
const eskimo = data.fewClasses.find((f) => f.name === 'Eskimo dog')!;

type AnySeries = BarSeriesOption | LineSeriesOption | ScatterSeriesOption | CustomSeriesOption;
const seriesOf = (option: { series?: unknown }) => option.series as AnySeries[];
const values = (s: AnySeries) => (s.data as { value: unknown }[]).map((d) => d.value);

describe('the Inspector chart options', () => {
  it('draw a combination as bars of mean α̃, nearest first, coloured by split, with ± std error bars', () => {
    const option = combinationOption(eskimo);
    expect((option.yAxis as { data: string[] }).data).toEqual(['Siberian husky', 'malamute']);
    const [bars, errors] = seriesOf(option);
    expect(values(bars!).map((v) => Number(v).toFixed(2))).toEqual(['-0.20', '0.40']);
    expect((bars!.data as { itemStyle: { color: string } }[]).map((d) => d.itemStyle.color)).toEqual([
      SPLIT_COLORS.many,
      SPLIT_COLORS.many,
    ]);
    const std = Math.sqrt(2 * 0.02 ** 2); // sample std of −0.18 and −0.22
    const [first] = errors!.data as number[][];
    expect(first![0]).toBe(0);
    expect(first![1]).toBeCloseTo(-0.2 - std, 12);
    expect(first![2]).toBeCloseTo(-0.2 + std, 12);
  });

  it('plot Δ against neighbour distance in percentage points, with the fitted line over the points and r', () => {
    const plot = data.plots.deltaVsDistance;
    const option = deltaVsDistanceOption(plot);
    const [points, fit] = seriesOf(option);
    expect(values(points!)).toEqual([
      [2, 37.5],
      [3, 75],
    ]);
    // slope 0.375 per unit of distance, through both points.
    const line = fit!.data as number[][];
    expect(line.map(([x]) => x)).toEqual([2, 3]);
    expect(line[0]![1]).toBeCloseTo(37.5, 10);
    expect(line[1]![1]).toBeCloseTo(75, 10);
    expect((option.title as { subtext: string }).subtext).toBe('Pearson r = 1.00 (n = 2)');
  });

  it('plot accuracy against training samples on a log axis, leaving out classes without samples, fits straight in log10', () => {
    const plot = data.plots.accVsSamples;
    const option = accVsSamplesOption(plot);
    expect((option.xAxis as { type: string }).type).toBe('log');
    const [baseline, alphanet, baseFit] = seriesOf(option);
    // Café dog has no training samples; malamute no test samples (no accuracy).
    expect((baseline!.data as { name: string }[]).map((d) => d.name)).toEqual([
      'Siberian husky (many)',
      'Eskimo dog (few)',
      'dingo (few)',
    ]);
    expect(values(alphanet!)).toEqual([
      [100, 75],
      [5, 62.5],
      [3, 75],
    ]);
    const { slope, intercept } = plot.fits.baseline;
    expect(baseFit!.data).toEqual([
      [3, 100 * (intercept! + slope! * Math.log10(3))],
      [100, 100 * (intercept! + slope! * Math.log10(100))],
    ]);
  });

  it('lay out Δ per class split after split, each sorted, with a mean line over its own classes', () => {
    const option = deltaBySplitOption(data.plots.deltaBySplit);
    expect((option.xAxis as { data: string[] }).data).toEqual(['dingo', 'Eskimo dog', 'Café dog', 'Siberian husky']);
    const [few, medium, many] = seriesOf(option) as BarSeriesOption[];
    expect(few!.data).toEqual([
      [0, 75],
      [1, 37.5],
    ]);
    expect(medium!.data).toEqual([[2, 0]]);
    expect(many!.data).toEqual([[3, -25]]);
    const fewMean = 100 * data.plots.deltaBySplit.splits[0]!.meanDelta!;
    expect(few!.markLine!.data).toEqual([[{ coord: [0, fewMean] }, { coord: [1, fewMean] }]]);
  });

  it('draw one histogram per coefficient over shared bins', () => {
    const plot = data.plots.alphaDistribution;
    const option = alphaDistributionOption(plot);
    const labels = (option.xAxis as { data: string[] }).data;
    expect(labels).toHaveLength(plot.edges.length - 1);
    expect(labels[0]).toBe(signed((plot.edges[0]! + plot.edges[1]!) / 2, 3));
    expect(seriesOf(option).map((s) => s.data)).toEqual(plot.coefficients.map((c) => c.counts));
    expect(seriesOf(option)[0]!.name).toMatch(/^α̃1 \(mean /);
  });

  it('stack the AlphaNet status over each baseline status', () => {
    const plot = data.plots.predictionChanges;
    const option = predictionChangesOption(plot);
    const stacks = seriesOf(option) as BarSeriesOption[];
    expect(stacks.map((s) => s.name)).toEqual([
      'AlphaNet correct',
      'AlphaNet wrong, as a neighbour',
      'AlphaNet wrong, otherwise',
    ]);
    expect(stacks[0]!.data).toEqual([
      plot.transitions.correct.correct,
      plot.transitions.neighbour.correct,
      plot.transitions.other.correct,
    ]);
    const all = stacks.flatMap((s) => s.data as number[]).reduce((a, b) => a + b, 0);
    expect(all).toBe(plot.total);
    expect((option.xAxis as { data: string[] }).data[0]).toBe(`correct (${plot.baseline.correct})`);
  });

  it('compare semantic with top-1 accuracy per split, in %', () => {
    const sem: SemanticAccuracy = {
      level: 4,
      baseline: { few: 0.5, medium: null, many: 1, overall: 0.75 },
      alphanetPerRun: [],
      alphanetMean: { few: 0.625, medium: null, many: 1, overall: 0.8 },
    };
    const option = semanticAccuracyOption(sem, data.baseline, data.alphanet);
    expect((option.xAxis as { data: string[] }).data).toEqual(['Few', 'Medium', 'Many', 'Overall']);
    const s = seriesOf(option);
    expect(s.map((x) => x.name)).toEqual([
      'Baseline top-1',
      'AlphaNet top-1',
      'Baseline semantic',
      'AlphaNet semantic',
    ]);
    expect(s[3]!.data).toEqual([62.5, null, 100, 80]);
    expect(s[0]!.data).toEqual([
      data.baseline.few! * 100,
      data.baseline.medium! * 100,
      data.baseline.many! * 100,
      data.baseline.overall! * 100,
    ]);
  });

  it('write negative numbers with a true minus sign, and no sign on a rounded zero', () => {
    expect([signed(-0.184), signed(0.5, 1), signed(-0.001, 2)]).toEqual(['−0.18', '0.5', '0.00']);
  });
});
