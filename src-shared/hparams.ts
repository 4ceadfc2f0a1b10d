/**
 * The HParams view's numbers: a sweep's runs as one row per config (its swept values, mean ± std of
 * each column over its seeds, n), and which configs fall inside brushed ranges of the axes.
 */
import { COLUMNS, runColumnValues, runRecordFromResult, type Column, type MetricSource } from './compare.ts';
import type { CompareRun } from './compare-groups.ts';
import { summarize } from './stats.ts';
import { configLabels, type SweepValue, type SweptValue } from './sweep.ts';

export interface HParamsCell {
  /** Percent; null without values. */
  mean: number | null;
  /** Sample std; null below two values. */
  std: number | null;
  n: number;
}

export interface HParamsConfig {
  configHash: string;
  /** `k=5, ρ=0.5`. */
  label: string;
  values: SweptValue[];
  runIds: number[];
  cells: Record<Column, HParamsCell>;
}

export interface HParamsTable {
  /** The swept parameters, in label order. */
  params: { param: string; name: string }[];
  /** One per config, in order of first run. */
  configs: HParamsConfig[];
}

/** A sweep's runs grouped by config, each column summarised over the config's runs (seeds). */
export function hparamsTable(
  runs: readonly CompareRun[],
  source: MetricSource = { datagrp: 'test', metric: 'top1' },
): HParamsTable {
  const sorted = [...runs].sort((a, b) => a.id - b.id);
  const labels = configLabels(
    sorted.map((r) => r.config),
    sorted.map((r) => r.configHash),
  );
  const byConfig = new Map<string, CompareRun[]>();
  for (const r of sorted) byConfig.set(r.configHash, [...(byConfig.get(r.configHash) ?? []), r]);
  const configs = [...byConfig].map(([configHash, members]): HParamsConfig => {
    const perRun = members.map((r) => runColumnValues(runRecordFromResult(r), source));
    const cells = Object.fromEntries(
      COLUMNS.map((c) => {
        const values = perRun.map((v) => v[c]).filter((v): v is number => v !== null && Number.isFinite(v));
        const s = summarize(values);
        return [c, { mean: s.n === 0 ? null : s.mean, std: s.std, n: s.n }];
      }),
    ) as Record<Column, HParamsCell>;
    const label = labels.byConfig.get(configHash);
    return {
      configHash,
      label: label?.label ?? '',
      values: label?.values ?? [],
      runIds: members.map((r) => r.id),
      cells,
    };
  });
  return {
    params: labels.params.map((param) => ({
      param,
      name: configs[0]?.values.find((v) => v.param === param)?.name ?? param,
    })),
    configs,
  };
}

/** A parameter's distinct values across the configs, sorted (numbers by value): a categorical axis's order. */
export function axisValues(table: HParamsTable, param: string): string[] {
  const texts = new Map<string, SweepValue | undefined>();
  for (const c of table.configs) {
    const v = c.values.find((x) => x.param === param);
    if (v) texts.set(v.text, v.value);
  }
  const numeric = [...texts.keys()].every((t) => t !== '' && Number.isFinite(Number(t)));
  return [...texts.keys()].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}

/** Whether every value of a parameter is a number (a value axis), else categories. */
export function isNumericParam(table: HParamsTable, param: string): boolean {
  return axisValues(table, param).every((t) => Number.isFinite(Number(t)));
}

/** A brushed range on an axis: numbers for a value axis, category positions for a categorical one. */
export type AxisIntervals = readonly (readonly [number, number])[];

/** An axis of the parallel chart: a swept parameter or a metric column. */
export type HParamsAxis = { kind: 'param'; param: string } | { kind: 'metric'; column: Column };

/** Where a config sits on an axis: its value, its category's position, or the metric's mean. */
export function axisPosition(table: HParamsTable, config: HParamsConfig, axis: HParamsAxis): number | null {
  if (axis.kind === 'metric') return config.cells[axis.column].mean;
  const text = config.values.find((v) => v.param === axis.param)?.text;
  if (text === undefined) return null;
  if (isNumericParam(table, axis.param)) return Number(text);
  return axisValues(table, axis.param).indexOf(text);
}

/** The configs inside every brushed axis's intervals (an axis without intervals does not filter). */
export function brushedConfigs(
  table: HParamsTable,
  axes: readonly HParamsAxis[],
  brushed: ReadonlyMap<number, AxisIntervals>,
): HParamsConfig[] {
  return table.configs.filter((c) =>
    [...brushed].every(([i, intervals]) => {
      if (intervals.length === 0 || axes[i] === undefined) return true;
      const x = axisPosition(table, c, axes[i]);
      return x !== null && intervals.some(([lo, hi]) => x >= Math.min(lo, hi) && x <= Math.max(lo, hi));
    }),
  );
}
