/**
 * The HParams view's charts as ECharts options, free of Vue: a parallel-coordinates chart (one axis
 * per swept parameter, then the metric columns; one line per config) and a scatter of one parameter
 * against a metric with each config's ± std as an error bar.
 */
import type { EChartsOption, LineSeriesOption, ParallelSeriesOption, ScatterSeriesOption } from 'echarts';
import { COLUMN_TITLES, COLUMNS, type Column } from '../../../src-shared/compare.ts';
import {
  axisPosition,
  axisValues,
  isNumericParam,
  type HParamsAxis,
  type HParamsTable,
} from '../../../src-shared/hparams.ts';
import { colorFor } from './curves.ts';

/** The parallel chart's axes: each swept parameter, then Few, Med., Many, Overall. */
export function hparamsAxes(table: HParamsTable): HParamsAxis[] {
  return [
    ...table.params.map((p): HParamsAxis => ({ kind: 'param', param: p.param })),
    ...COLUMNS.map((column): HParamsAxis => ({ kind: 'metric', column })),
  ];
}

export function axisName(table: HParamsTable, axis: HParamsAxis): string {
  return axis.kind === 'metric'
    ? COLUMN_TITLES[axis.column]
    : (table.params.find((p) => p.param === axis.param)?.name ?? axis.param);
}

/** Margins of the parallel chart, so a test can find an axis on screen: axis i sits at left + i × (width − left − right)/(n − 1). */
export const PARALLEL_LAYOUT = { left: 48, right: 64, top: 48, bottom: 32 };

/** One line per config; configs outside the brushed ranges are greyed by ECharts itself, `highlighted` ones drawn thicker. */
export function parallelOption(table: HParamsTable, highlighted: ReadonlySet<string> = new Set()): EChartsOption {
  const axes = hparamsAxes(table);
  const parallelAxis = axes.map((axis, dim) => {
    // The id names the axis in ECharts' brush events (`axisareaselected`): `axis-<index into hparamsAxes>`.
    const base = { id: `axis-${dim}`, dim, name: axisName(table, axis), nameTextStyle: { fontSize: 12 } };
    if (axis.kind === 'param' && !isNumericParam(table, axis.param))
      return { ...base, type: 'category' as const, data: axisValues(table, axis.param) };
    // A margin beyond the extremes, so no config sits on an axis end (and a brush can start past it).
    const margin = (v: { min: number; max: number }) => (v.max - v.min || Math.abs(v.max) || 1) * 0.08;
    return {
      ...base,
      type: 'value' as const,
      min: (v: { min: number; max: number }) => v.min - margin(v),
      max: (v: { min: number; max: number }) => v.max + margin(v),
    };
  });
  const data = table.configs.map((c) => ({
    name: c.label,
    value: axes.map((axis) =>
      axis.kind === 'param' && !isNumericParam(table, axis.param)
        ? (c.values.find((v) => v.param === axis.param)?.text ?? '')
        : (axisPosition(table, c, axis) ?? '-'),
    ),
    lineStyle: { color: colorFor(c.configHash), width: highlighted.has(c.configHash) ? 4 : 2 },
  }));
  const series: ParallelSeriesOption = {
    type: 'parallel',
    data,
    smooth: false,
    lineStyle: { opacity: 0.8 },
    inactiveOpacity: 0.08,
    activeOpacity: 1,
    emphasis: { lineStyle: { width: 4 } },
  };
  return {
    animation: false,
    // The padded ends of value axes are no values of interest: no labels there.
    parallel: {
      ...PARALLEL_LAYOUT,
      parallelAxisDefault: {
        nameLocation: 'start',
        nameGap: 20,
        realtime: true,
        axisLabel: { showMinLabel: false, showMaxLabel: false },
      },
    },
    parallelAxis,
    tooltip: { trigger: 'item', formatter: (p: unknown) => (p as { name?: string }).name ?? '' },
    series: [series],
  };
}

/** A parameter (x) against a metric column (y): each config's mean with its ± std as a vertical bar. */
export function scatterOption(table: HParamsTable, param: string, column: Column): EChartsOption {
  const numeric = isNumericParam(table, param);
  const categories = axisValues(table, param);
  const points = table.configs.flatMap((c) => {
    const text = c.values.find((v) => v.param === param)?.text;
    const cell = c.cells[column];
    if (text === undefined || cell.mean === null) return [];
    return [{ x: numeric ? Number(text) : text, mean: cell.mean, std: cell.std ?? 0, c }];
  });
  const name = table.params.find((p) => p.param === param)?.name ?? param;
  const scatter: ScatterSeriesOption = {
    type: 'scatter',
    name: COLUMN_TITLES[column],
    symbolSize: 9,
    data: points.map((p) => ({
      name: p.c.label,
      value: [p.x, p.mean, p.std, p.c.cells[column].n],
      itemStyle: { color: colorFor(p.c.configHash) },
    })),
  };
  // One line series for all bars: each bar is two points, bars separated by a gap ('-').
  const bars: LineSeriesOption = {
    type: 'line',
    name: '± std',
    data: points.flatMap((p) => [[p.x, p.mean - p.std], [p.x, p.mean + p.std], '-']) as LineSeriesOption['data'],
    connectNulls: false,
    symbol: 'none',
    silent: true,
    lineStyle: { color: '#555', width: 1.5 },
    tooltip: { show: false },
  };
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 24, bottom: 48 },
    xAxis: numeric
      ? { type: 'value', name, nameLocation: 'middle', nameGap: 28, scale: true, boundaryGap: ['8%', '8%'] }
      : { type: 'category', name, nameLocation: 'middle', nameGap: 28, data: categories },
    yAxis: { type: 'value', name: `${COLUMN_TITLES[column]} (%)`, scale: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const { name: label, value } = p as { name: string; value: [unknown, number, number, number] };
        return `${label}: ${value[1].toFixed(1)} ± ${value[2].toFixed(2)} (n=${value[3]})`;
      },
    },
    series: [bars, scatter],
  };
}
