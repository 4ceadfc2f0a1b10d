/**
 * ECharts options of the Inspector's plots (issue 7; the paper's plots, spec §6), built from the
 * Inspector data (src-shared/inspector.ts). Accuracies are drawn in %, changes in percentage points.
 */
import type {
  BarSeriesOption,
  CustomSeriesOption,
  EChartsOption,
  LineSeriesOption,
  ScatterSeriesOption,
} from 'echarts';
import type { SplitName } from '../../../src-shared/dataset.ts';
import {
  PREDICTION_STATUSES,
  SPLIT_ORDER,
  type AccVsSamplesPlot,
  type AlphaDistributionPlot,
  type DeltaBySplitPlot,
  type DeltaVsDistancePlot,
  type FewClassDetail,
  type PredictionChangesPlot,
  type PredictionStatus,
  type Regression,
  type SemanticAccuracy,
  type SplitAccuracy,
} from '../../../src-shared/inspector.ts';
import { escapeHtml } from './format.ts';

export const SPLIT_COLORS: Record<SplitName, string> = { few: '#d92d20', medium: '#f79009', many: '#2f5bd3' };
export const SPLIT_LABELS: Record<SplitName, string> = { few: 'Few', medium: 'Medium', many: 'Many' };
const BASELINE_COLOR = '#98a2b3';
const ALPHANET_COLOR = '#2f5bd3';
const STATUS_COLORS: Record<PredictionStatus, string> = { correct: '#067647', neighbour: '#f79009', other: '#d92d20' };
export const STATUS_LABELS: Record<PredictionStatus, string> = {
  correct: 'correct',
  neighbour: 'wrong, as a neighbour',
  other: 'wrong, otherwise',
};

const pp = (fraction: number): number => fraction * 100;

/** A number for display, with a true minus sign (none when it rounds to zero). */
export function signed(x: number, digits = 2): string {
  const s = x.toFixed(digits);
  if (/^-0(\.0*)?$/.test(s)) return s.slice(1);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** Title, subtitle, the plot area, and the legend below it when there is one. */
function base(title: string, subtitle?: string, legend = false): EChartsOption {
  return {
    legend: legend ? { bottom: 4 } : undefined,
    animation: false,
    backgroundColor: '#fff',
    title: {
      text: title,
      subtext: subtitle,
      left: 8,
      top: 4,
      textStyle: { fontSize: 13, fontWeight: 'normal' },
      subtextStyle: { fontSize: 11 },
    },
    grid: { left: 64, right: 24, top: subtitle ? 64 : 48, bottom: legend ? 76 : 48 },
    tooltip: { trigger: 'item', confine: true },
  };
}

/** Endpoints of a fitted line y = intercept + slope·f(x) over [x0, x1], y scaled to %; none without a fit. */
function fitLine(fit: Regression, x0: number, x1: number, f: (x: number) => number = (x) => x): [number, number][] {
  if (fit.slope === null || fit.intercept === null || !(x1 >= x0)) return [];
  return [x0, x1].map((x) => [x, pp(fit.intercept! + fit.slope! * f(x))]);
}

function rText(fit: Regression): string {
  return fit.r === null ? 'r undefined' : `Pearson r = ${signed(fit.r)} (n = ${fit.n})`;
}

// ---------------------------------------------------------------------------------------------

/** A few class's coefficients α̃ (mean over runs, ± std as error bars), nearest neighbour on top. */
export function combinationOption(detail: FewClassDetail): EChartsOption {
  const terms = detail.combination;
  const bars: BarSeriesOption = {
    type: 'bar',
    name: 'α̃ mean',
    barMaxWidth: 22,
    data: terms.map((t) => ({ value: t.alphaMean, itemStyle: { color: SPLIT_COLORS[t.split] } })),
    label: { show: true, position: 'right', formatter: (p) => signed(Number(p.value)) },
  };
  const errors: CustomSeriesOption = {
    type: 'custom',
    name: '± std',
    silent: true,
    data: terms.flatMap((t, i) =>
      t.alphaStd === null ? [] : [[i, t.alphaMean - t.alphaStd, t.alphaMean + t.alphaStd]],
    ),
    encode: { x: [1, 2], y: 0 },
    renderItem: (_params, api) => {
      const [lo, hi] = [api.coord([api.value(1), api.value(0)]), api.coord([api.value(2), api.value(0)])];
      const cap = 5;
      const style = { stroke: '#1d2433', lineWidth: 1.2 };
      const yc = lo[1]!;
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: lo[0]!, y1: yc, x2: hi[0]!, y2: yc }, style },
          { type: 'line', shape: { x1: lo[0]!, y1: yc - cap, x2: lo[0]!, y2: yc + cap }, style },
          { type: 'line', shape: { x1: hi[0]!, y1: yc - cap, x2: hi[0]!, y2: yc + cap }, style },
        ],
      };
    },
    z: 3,
  };
  const option = base(`Combination of [${detail.name}]`, 'α̃ per neighbour, mean ± std over the runs; colour: split');
  return {
    ...option,
    grid: { left: 150, right: 56, top: 64, bottom: 36 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const t = terms[(p as { dataIndex: number }).dataIndex];
        if (!t) return '';
        const std = t.alphaStd === null ? '' : ` ± ${signed(t.alphaStd)}`;
        const runs = t.alphaPerRun.map((a) => signed(a)).join(', ');
        return `${escapeHtml(t.name)} (${t.split})<br>α̃ = <b>${signed(t.alphaMean)}${std}</b><br>runs: ${runs}`;
      },
    },
    xAxis: {
      type: 'value',
      name: 'α̃',
      nameLocation: 'end',
      splitNumber: 4,
      splitLine: { lineStyle: { type: 'dashed' } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: terms.map((t) => t.name),
      axisLabel: { width: 136, overflow: 'truncate' },
    },
    series: [bars, errors],
  };
}

/** Per few class: Δ accuracy against the mean distance to its neighbours, with the least-squares line. */
export function deltaVsDistanceOption(plot: DeltaVsDistancePlot): EChartsOption {
  const xs = plot.points.map((p) => p.meanDistance);
  const line = fitLine(plot.fit, Math.min(...xs), Math.max(...xs));
  const points: ScatterSeriesOption = {
    type: 'scatter',
    name: 'few classes',
    symbolSize: 7,
    itemStyle: { color: SPLIT_COLORS.few, opacity: 0.75 },
    data: plot.points.map((p) => ({ value: [p.meanDistance, pp(p.delta)], name: p.name })),
  };
  const fit: LineSeriesOption = {
    type: 'line',
    name: 'least squares',
    data: line,
    symbol: 'none',
    silent: true,
    lineStyle: { color: '#1d2433', width: 1.5 },
  };
  return {
    ...base('Δ accuracy vs mean neighbour distance (few classes)', rText(plot.fit)),
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const q = p as { seriesType?: string; name?: string; value?: unknown };
        if (q.seriesType !== 'scatter' || !Array.isArray(q.value)) return '';
        const [d, delta] = q.value as number[];
        return `${escapeHtml(q.name ?? '')}<br>distance ${d!.toPrecision(4)} · Δ ${signed(delta!, 1)} pp`;
      },
    },
    xAxis: { type: 'value', scale: true, name: `mean ${plot.metric} distance`, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'Δ accuracy (pp)', nameLocation: 'middle', nameGap: 44 },
    series: [points, fit],
  };
}

/** Per class: test accuracy against training samples (log x), baseline and AlphaNet, each with its lmplot(logx) fit. */
export function accVsSamplesOption(plot: AccVsSamplesPlot): EChartsOption {
  const shown = plot.points.filter((p) => p.trainSamples > 0);
  const xs = shown.map((p) => p.trainSamples);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const scatter = (
    name: string,
    color: string,
    acc: (p: (typeof shown)[number]) => number | null,
  ): ScatterSeriesOption => ({
    type: 'scatter',
    name,
    symbolSize: 5,
    itemStyle: { color, opacity: 0.6 },
    data: shown
      .filter((p) => acc(p) !== null)
      .map((p) => ({ value: [p.trainSamples, pp(acc(p)!)], name: `${p.name} (${p.split})` })),
  });
  const fit = (name: string, color: string, r: Regression): LineSeriesOption => ({
    type: 'line',
    name,
    data: fitLine(r, x0, x1, Math.log10),
    symbol: 'none',
    silent: true,
    lineStyle: { color, width: 2 },
    itemStyle: { color },
  });
  return {
    ...base('Accuracy vs training samples (per class)', 'lines: accuracy fitted against log10(samples)', true),
    // The fits are named by their colour; the legend lists the points.
    legend: { bottom: 4, data: ['Baseline', 'AlphaNet'] },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const q = p as { seriesName?: string; name?: string; value?: unknown };
        if (!Array.isArray(q.value)) return '';
        const [n, acc] = q.value as number[];
        return `${escapeHtml(q.name ?? '')}<br>${escapeHtml(q.seriesName ?? '')}: ${acc!.toFixed(1)}% · ${n} training samples`;
      },
    },
    xAxis: { type: 'log', logBase: 10, name: 'training samples', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', min: 0, max: 100, name: 'test accuracy (%)', nameLocation: 'middle', nameGap: 40 },
    series: [
      scatter('Baseline', BASELINE_COLOR, (p) => p.baseline),
      scatter('AlphaNet', ALPHANET_COLOR, (p) => p.alphanet),
      fit('Baseline fit', '#475467', plot.fits.baseline),
      fit('AlphaNet fit', ALPHANET_COLOR, plot.fits.alphanet),
    ],
  };
}

/** Per-class Δ accuracy, sorted within each split (few, medium, many), with each split's mean change. */
export function deltaBySplitOption(plot: DeltaBySplitPlot): EChartsOption {
  const names: string[] = [];
  const series: BarSeriesOption[] = [];
  for (const s of plot.splits) {
    const start = names.length;
    names.push(...s.classes.map((c) => c.name));
    const end = names.length - 1;
    series.push({
      type: 'bar',
      name: SPLIT_LABELS[s.split],
      barCategoryGap: '10%',
      itemStyle: { color: SPLIT_COLORS[s.split] },
      data: s.classes.map((c, i) => [start + i, pp(c.delta)]),
      markLine:
        s.meanDelta === null || s.classes.length === 0
          ? undefined
          : {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#1d2433', type: 'dashed', width: 1.5 },
              label: {
                formatter: `${SPLIT_LABELS[s.split]} mean ${signed(pp(s.meanDelta), 1)}`,
                position: 'insideEndTop',
                fontSize: 10,
              },
              data: [[{ coord: [start, pp(s.meanDelta)] }, { coord: [end, pp(s.meanDelta)] }]],
            },
    });
  }
  const overall = plot.overallMeanDelta === null ? '' : `overall mean Δ ${signed(pp(plot.overallMeanDelta), 1)} pp`;
  return {
    ...base('Δ accuracy per class, sorted within each split', overall || undefined, true),
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => {
        const q = p as { seriesName?: string; value?: unknown; componentType?: string };
        if (q.componentType !== 'series' || !Array.isArray(q.value)) return '';
        const [i, delta] = q.value as number[];
        return `${escapeHtml(names[i!] ?? '')} (${escapeHtml(q.seriesName ?? '')})<br>Δ ${signed(delta!, 1)} pp`;
      },
    },
    xAxis: {
      type: 'category',
      data: names,
      axisLabel: { show: false },
      axisTick: { show: false },
      name: 'classes',
      nameLocation: 'middle',
      nameGap: 16,
    },
    yAxis: { type: 'value', name: 'Δ accuracy (pp)', nameLocation: 'middle', nameGap: 44 },
    series,
  };
}

/** Histograms of each coefficient α̃_i over every few class and run, on shared bins. */
export function alphaDistributionOption(plot: AlphaDistributionPlot): EChartsOption {
  const centres = plot.edges.slice(0, -1).map((lo, b) => (lo + plot.edges[b + 1]!) / 2);
  const palette = ['#2f5bd3', '#f79009', '#067647', '#d92d20', '#7a5af8', '#0e9384', '#c11574', '#667085'];
  return {
    ...base('Distribution of each α̃ᵢ', 'over all few classes and runs; i = 1 is the nearest neighbour', true),
    // k legend entries with their means take two rows.
    grid: { left: 64, right: 24, top: 64, bottom: 100 },
    tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category',
      data: centres.map((c) => signed(c, 3)),
      name: 'α̃ (bin centre)',
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', name: 'count', nameLocation: 'middle', nameGap: 40, minInterval: 1 },
    series: plot.coefficients.map((c, j): BarSeriesOption => ({
      type: 'bar',
      name: `α̃${c.index}${c.mean === null ? '' : ` (mean ${signed(c.mean)})`}`,
      itemStyle: { color: palette[j % palette.length] },
      data: c.counts,
    })),
  };
}

/** Baseline status (bars) → AlphaNet status (stacks) of every few-class test sample, per run. */
export function predictionChangesOption(plot: PredictionChangesPlot): EChartsOption {
  const meaning =
    plot.neighbours === 'nearest'
      ? 'neighbour: one of the class’s nearest base classes'
      : 'neighbour: WordNet relative within the level';
  return {
    ...base(
      `Prediction changes, baseline → AlphaNet (${plot.neighbours === 'nearest' ? 'nearest neighbours' : 'WordNet neighbours'})`,
      `${plot.total} few-class predictions over the runs; ${meaning}`,
      true,
    ),
    grid: { left: 64, right: 24, top: 64, bottom: 96 },
    tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category',
      data: PREDICTION_STATUSES.map((s) => `${STATUS_LABELS[s]} (${plot.baseline[s]})`),
      axisLabel: { interval: 0 },
      name: 'baseline prediction',
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', name: 'predictions', nameLocation: 'middle', nameGap: 44, minInterval: 1 },
    series: PREDICTION_STATUSES.map((to): BarSeriesOption => ({
      type: 'bar',
      stack: 'alphanet',
      name: `AlphaNet ${STATUS_LABELS[to]}`,
      itemStyle: { color: STATUS_COLORS[to] },
      data: PREDICTION_STATUSES.map((from) => plot.transitions[from][to]),
    })),
  };
}

/** The splits and the whole test set, as the accuracy summaries list them. */
export const SPLIT_KEYS = [...SPLIT_ORDER, 'overall'] as const;
export const splitKeyLabel = (k: (typeof SPLIT_KEYS)[number]): string =>
  k === 'overall' ? 'Overall' : SPLIT_LABELS[k];

/** Top-1 and semantic accuracy (a WordNet relative within the level counts as right) per split. */
export function semanticAccuracyOption(
  sem: SemanticAccuracy,
  baseline: SplitAccuracy,
  alphanet: SplitAccuracy,
): EChartsOption {
  const bar = (name: string, color: string, acc: SplitAccuracy, semantic: boolean): BarSeriesOption => ({
    type: 'bar',
    name,
    itemStyle: { color, opacity: semantic ? 1 : 0.45 },
    data: SPLIT_KEYS.map((k) => (acc[k] === null ? null : pp(acc[k]!))),
  });
  return {
    ...base(
      `Semantic accuracy (WordNet level ≤ ${sem.level})`,
      'faint: top-1 accuracy; solid: a WordNet relative within the level counts as right',
      true,
    ),
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'shadow' },
      valueFormatter: (v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '–'),
    },
    xAxis: { type: 'category', data: SPLIT_KEYS.map(splitKeyLabel) },
    yAxis: { type: 'value', min: 0, max: 100, name: 'accuracy (%)', nameLocation: 'middle', nameGap: 40 },
    series: [
      bar('Baseline top-1', BASELINE_COLOR, baseline, false),
      bar('AlphaNet top-1', ALPHANET_COLOR, alphanet, false),
      bar('Baseline semantic', BASELINE_COLOR, sem.baseline, true),
      bar('AlphaNet semantic', ALPHANET_COLOR, sem.alphanetMean, true),
    ],
  };
}
