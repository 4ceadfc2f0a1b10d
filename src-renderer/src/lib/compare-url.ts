/**
 * The Compare view's state as a link (`#/compare?sel={"demo":["experiment:x"]}&metric=top5&grp=val&delta=1&ref=x&sort=few,asc`),
 * so a reload or a shared link restores the screen. Defaults are left out; without `sel` the
 * selection follows the data (every named experiment). Bad values of a hand-edited link are ignored.
 */
import { COLUMNS, METRIC_NAMES, type Column, type EvalDatagrp, type MetricName } from '../../../src-shared/compare.ts';
import { CELL_STYLES, type CellStyle } from '../../../src-shared/export/format.ts';
import type { ExportFormat } from '../../../src-shared/export/index.ts';
import { EXPORT_CHOICES } from './compare-view.ts';
import { choiceOf, flagOf } from './view-link.ts';

export interface CompareState {
  /** Dataset key → chosen group ids; null: not picked, the selection follows the data. */
  selected: Record<string, string[]> | null;
  metric: MetricName;
  datagrp: EvalDatagrp;
  showDelta: boolean;
  /** The row the others are tested against; '' for none. */
  reference: string;
  sortBy: { column: Column; descending: boolean } | null;
  exportFormat: ExportFormat;
  exportStyle: CellStyle;
}

export const COMPARE_DEFAULTS: CompareState = {
  selected: null,
  metric: 'top1',
  datagrp: 'test',
  showDelta: false,
  reference: '',
  sortBy: null,
  exportFormat: 'latex',
  exportStyle: 'pm',
};

/** The settings remembered for the data folder (the selection, test and order belong to one screen). */
export const COMPARE_REMEMBERED: readonly string[] = ['metric', 'grp', 'delta', 'fmt', 'style'];

const DATAGRPS: readonly EvalDatagrp[] = ['test', 'val'];
const FORMATS: readonly ExportFormat[] = EXPORT_CHOICES.map((e) => e.format);

export function compareQuery(state: CompareState): Record<string, string> {
  const q: Record<string, string> = {};
  if (state.selected !== null) {
    // Datasets with nothing chosen are left out; sorted, so one choice gives one link.
    const chosen = Object.entries(state.selected)
      .filter(([, ids]) => ids.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    q.sel = JSON.stringify(Object.fromEntries(chosen));
  }
  if (state.metric !== COMPARE_DEFAULTS.metric) q.metric = state.metric;
  if (state.datagrp !== COMPARE_DEFAULTS.datagrp) q.grp = state.datagrp;
  if (state.showDelta) q.delta = '1';
  if (state.reference !== '') q.ref = state.reference;
  if (state.sortBy !== null) q.sort = `${state.sortBy.column}${state.sortBy.descending ? '' : ',asc'}`;
  if (state.exportFormat !== COMPARE_DEFAULTS.exportFormat) q.fmt = state.exportFormat;
  if (state.exportStyle !== COMPARE_DEFAULTS.exportStyle) q.style = state.exportStyle;
  return q;
}

function selectionOf(text: string): Record<string, string[]> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [dataset, ids] of Object.entries(raw)) {
    if (Array.isArray(ids)) out[dataset] = ids.filter((id): id is string => typeof id === 'string');
  }
  return out;
}

/** What a link sets; keys it does not carry (or carries badly) are absent. */
export function parseCompareQuery(query: Record<string, string>): Partial<CompareState> {
  const out: Partial<CompareState> = {};
  const selected = query.sel === undefined ? undefined : selectionOf(query.sel);
  if (selected !== undefined) out.selected = selected;
  const metric = choiceOf(query.metric, METRIC_NAMES);
  if (metric) out.metric = metric;
  const datagrp = choiceOf(query.grp, DATAGRPS);
  if (datagrp) out.datagrp = datagrp;
  const delta = flagOf(query.delta);
  if (delta !== undefined) out.showDelta = delta;
  if (query.ref !== undefined) out.reference = query.ref;
  if (query.sort !== undefined) {
    const [column, order] = query.sort.split(',');
    const col = choiceOf(column, COLUMNS);
    if (col && (order === undefined || order === 'asc')) out.sortBy = { column: col, descending: order === undefined };
  }
  const format = choiceOf(query.fmt, FORMATS);
  if (format) out.exportFormat = format;
  const style = choiceOf(query.style, CELL_STYLES);
  if (style) out.exportStyle = style;
  return out;
}
