/**
 * Builds the ECharts option of one scalar chart: per run (or per group of repeated runs, with a ± std
 * band) a smoothed line, over one faint series holding every line's raw values; tooltips list raw and
 * smoothed.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { InjectionKey, Ref } from 'vue';
import type { ScalarPoint } from '../../../src-shared/api.ts';
import { debiasedEma } from '../../../src-shared/smoothing.ts';
import { plotPoints, sharedBand, singlePointSummary, xOf, type BandPoint, type XAxisMode } from './curves.ts';
import { escapeHtml } from './format.ts';

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  /** The runs drawn by this line, and their points: one for a single run, several for a group (mean ± std). */
  runIds: number[];
  runs: ScalarPoint[][];
}

export interface ChartSettings {
  smoothing: number;
  xAxis: XAxisMode;
  logY: boolean;
}

/**
 * The charts' settings, provided by the view that shows them: CurveChart watches them, so a smoothing
 * change redraws each chart in its turn without re-rendering every chart's component and value table
 * (a prop would: ~25 ms with a dozen charts of 20 runs).
 */
export const CHART_SETTINGS: InjectionKey<Readonly<Ref<ChartSettings>>> = Symbol('chart settings');

/** What each drawn point carries: [x, smoothed, raw, step, n]. */
export type PointValue = [number, number, number, number, number];

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}

/**
 * A tick label: at most 3 significant digits, exponent form for tiny and huge values, so the ticks
 * of a learning rate (0.000125, 0.00015, …) stay short and apart.
 */
export function axisNumber(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return Number(v.toExponential(2)).toExponential();
  return String(Number(v.toPrecision(3)));
}

/** The points of one line as drawn (a single run, or the mean of a group), smoothed. */
export function linePoints(line: ChartLine, settings: ChartSettings): PointValue[] {
  if (line.runs.length === 1) {
    return plotPoints(line.runs[0], settings.xAxis, settings.smoothing, settings.logY).map((p) => [
      p.x,
      p.smoothed,
      p.raw,
      p.step,
      1,
    ]);
  }
  const band = groupBand(line).filter((b) => !settings.logY || b.mean > 0);
  const smoothed = debiasedEma(
    band.map((b) => b.mean),
    settings.smoothing,
  );
  const start = band.length > 0 ? band[0].wallTime : 0;
  return band.map((b, i) => [
    xOf({ step: b.step, wallTime: b.wallTime, value: b.mean }, settings.xAxis, start),
    smoothed[i],
    b.mean,
    b.step,
    b.n,
  ]);
}

/** A group's mean ± std: one point when each run has one (no line joining different steps), else where its runs share steps. */
function groupBand(line: ChartLine): BandPoint[] {
  const single = singlePointSummary(line.runs);
  return single ? [single] : sharedBand(line.runs);
}

function bandSeries(line: ChartLine, settings: ChartSettings): LineSeriesOption[] {
  const band = groupBand(line);
  const start = band.length > 0 ? band[0].wallTime : 0;
  if (singlePointSummary(line.runs)) {
    // One point per run: an error bar (mean ± std) under the mean's marker.
    const [b] = band;
    const x = xOf({ step: b.step, wallTime: b.wallTime, value: b.mean }, settings.xAxis, start);
    const lo = settings.logY && b.mean - b.std <= 0 ? b.mean : b.mean - b.std;
    return [
      {
        type: 'line',
        id: `${line.id}:err`,
        name: `${line.label} ±std`,
        data: [
          [x, lo],
          [x, b.mean + b.std],
        ],
        symbol: 'rect',
        symbolSize: [10, 1.5],
        silent: true,
        lineStyle: { color: line.color, width: 1.5 },
        itemStyle: { color: line.color },
        tooltip: { show: false },
      },
    ];
  }
  const rows = band
    .map((b) => ({
      x: xOf({ step: b.step, wallTime: b.wallTime, value: b.mean }, settings.xAxis, start),
      lo: b.mean - b.std,
      hi: b.mean + b.std,
    }))
    .filter((r) => !settings.logY || r.lo > 0);
  const common: LineSeriesOption = {
    type: 'line',
    stack: `band:${line.id}`,
    symbol: 'none',
    silent: true,
    lineStyle: { opacity: 0 },
    tooltip: { show: false },
  };
  return [
    { ...common, id: `${line.id}:lo`, name: `${line.label} −std`, data: rows.map((r) => [r.x, r.lo]) },
    {
      ...common,
      id: `${line.id}:band`,
      name: `${line.label} ±std`,
      data: rows.map((r) => [r.x, r.hi - r.lo]),
      areaStyle: { color: line.color, opacity: 0.18 },
    },
  ];
}

function smoothSeries(line: ChartLine, points: PointValue[]): LineSeriesOption {
  return {
    id: `${line.id}:smooth`,
    name: line.label,
    type: 'line',
    data: points,
    encode: { x: 0, y: 1 },
    showSymbol: points.length === 1,
    sampling: 'lttb',
    symbolSize: points.length === 1 ? 8 : 5,
    color: line.color,
    lineStyle: { color: line.color, width: 2 },
  };
}

/**
 * What a smoothing change alters: only the smoothed lines' points (raw lines and ± std bands do not
 * depend on it), merged by series id into a chart already drawn with the same lines, axis and scale.
 * `points`: each line's `linePoints` at the new smoothing.
 */
export function smoothingUpdate(lines: readonly ChartLine[], points: readonly PointValue[][]): EChartsOption {
  return { series: lines.map((line, i) => ({ id: `${line.id}:smooth`, data: points[i] })) };
}

/** A break in a line: ECharts does not join the points either side of an empty value. */
const GAP: [number, number] = [Number.NaN, Number.NaN];

/**
 * Every line's raw values as one series, the lines apart at gaps: a series per run cost ECharts as much
 * again as the smoothed lines (20 runs were 40 series a chart). Faint, and in the line's colour when
 * there is one line, else in grey: twenty faint colours under twenty bright ones read as noise.
 */
function rawSeries(lines: readonly ChartLine[], points: readonly PointValue[][]): LineSeriesOption {
  const data: [number, number][] = [];
  points.forEach((line, i) => {
    if (i > 0) data.push(GAP);
    for (const p of line) data.push([p[0], p[2]]);
  });
  const color = lines.length === 1 ? lines[0].color : '#888';
  return {
    id: 'raw',
    name: 'raw',
    type: 'line',
    data,
    symbol: 'none',
    silent: true,
    // ImageNet-scale runs log tens of thousands of batch losses; draw a shape-preserving sample (ECharts'
    // keeps the gaps).
    sampling: 'lttb',
    lineStyle: { color, opacity: 0.25, width: 1 },
    tooltip: { show: false },
  };
}

/** `points`: each line's `linePoints` at `settings`, when the caller has them already. */
export function buildChartOption(
  tag: string,
  lines: readonly ChartLine[],
  settings: ChartSettings,
  points: readonly PointValue[][] = lines.map((line) => linePoints(line, settings)),
): EChartsOption {
  const series: LineSeriesOption[] = lines.flatMap((line) => (line.runs.length > 1 ? bandSeries(line, settings) : []));
  if (lines.length > 0) series.push(rawSeries(lines, points));
  series.push(...lines.map((line, i) => smoothSeries(line, points[i])));
  return {
    animation: false,
    // A fixed margin that fits the widest tick axisNumber writes ('-1.25e-4'): containLabel measured
    // every label of every chart before laying it out, a good part of each chart's first draw.
    grid: { left: 64, right: 24, top: 36, bottom: 40 },
    title: { text: tag, left: 8, top: 4, textStyle: { fontSize: 13, fontWeight: 'normal' } },
    toolbox: {
      right: 8,
      top: 0,
      feature: {
        dataZoom: { filterMode: 'none', title: { zoom: 'Box zoom', back: 'Undo zoom' } },
        restore: { title: 'Reset' },
      },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'line' },
      formatter: (params) => tooltipHtml(Array.isArray(params) ? params : [params]),
    },
    xAxis: {
      type: settings.xAxis === 'wall' ? 'time' : 'value',
      name: settings.xAxis === 'step' ? 'step' : settings.xAxis === 'relative' ? 'hours' : '',
      nameLocation: 'end',
      scale: true,
      // Steps are whole numbers; no ticks at 1.5.
      minInterval: settings.xAxis === 'step' ? 1 : undefined,
      axisLabel: { hideOverlap: true },
    },
    yAxis: {
      type: settings.logY ? 'log' : 'value',
      scale: true,
      // No overlap test here: the ticks' labels are a line apart, and the test measured each label's box.
      axisLabel: { formatter: axisNumber },
    },
    series,
  };
}

interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  color?: unknown;
  value?: unknown;
}

export interface TooltipRow {
  name: string;
  color: string;
  smoothed: number;
  raw: number;
  step: number;
  n: number;
}

/**
 * TensorBoard's tooltip: every drawn line at the hovered step (the axis trigger gives each series' point
 * nearest to it), highest smoothed value first; the raw lines and ± std bands are not rows.
 */
export function tooltipRows(params: readonly TooltipParam[]): TooltipRow[] {
  return params
    .filter((p) => p.seriesId?.endsWith(':smooth') && Array.isArray(p.value))
    .map((p) => {
      const [, smoothed, raw, step, n] = p.value as PointValue;
      return {
        name: p.seriesName ?? '',
        color: typeof p.color === 'string' ? p.color : '#888',
        smoothed,
        raw,
        step,
        n,
      };
    })
    .sort((a, b) => (Number.isNaN(a.smoothed) ? 1 : Number.isNaN(b.smoothed) ? -1 : b.smoothed - a.smoothed));
}

function tooltipHtml(params: readonly TooltipParam[]): string {
  const rows = tooltipRows(params).map((r) => {
    const group = r.n > 1 ? ` <span class="tip-n">n=${r.n}</span>` : '';
    return (
      `<tr><td><span style="color:${r.color}">●</span> ${escapeHtml(r.name)}${group}</td>` +
      `<td class="num"><b>${formatValue(r.smoothed)}</b></td><td class="num">${formatValue(r.raw)}</td><td class="num">${r.step}</td></tr>`
    );
  });
  if (rows.length === 0) return '';
  return `<table class="tip-table"><thead><tr><th>Run</th><th class="num">Smoothed</th><th class="num">Value</th><th class="num">Step</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Whether two renders draw the same lines from the same point arrays: then a chart keeps its option and is not redrawn. */
export function sameLines(a: readonly ChartLine[], b: readonly ChartLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, i) => {
      const other = b[i];
      return (
        line.id === other.id &&
        line.label === other.label &&
        line.color === other.color &&
        line.runs.length === other.runs.length &&
        line.runs.every((points, j) => points === other.runs[j])
      );
    })
  );
}
