/**
 * The Curves view's state as a link (`#/curves?runs=3,4&smoothing=0.9&x=wall&logy=1&group=1&open=loss,alphas`),
 * so a reload or a shared link restores the screen. Defaults are left out of the link; a bad value
 * in a hand-edited link is ignored rather than failing the view.
 */
import type { XAxisMode } from './curves.ts';
import { choiceOf, flagOf, idsOf } from './view-link.ts';

export interface CurvesState {
  runs: number[];
  smoothing: number;
  xAxis: XAxisMode;
  logY: boolean;
  groupRepeats: boolean;
  openGroups: string[];
  runFilter: string;
}

export const CURVES_DEFAULTS: Omit<CurvesState, 'runs'> = {
  smoothing: 0.6,
  xAxis: 'step',
  logY: false,
  groupRepeats: false,
  openGroups: ['loss', 'validation'],
  runFilter: '',
};

const X_AXES: readonly XAxisMode[] = ['step', 'relative', 'wall'];

export function curvesQuery(state: CurvesState): Record<string, string> {
  const q: Record<string, string> = {};
  // Sorted: the same runs give the same link whatever order they were ticked in.
  if (state.runs.length > 0) q.runs = [...state.runs].sort((a, b) => a - b).join(',');
  if (state.smoothing !== CURVES_DEFAULTS.smoothing) q.smoothing = String(state.smoothing);
  if (state.xAxis !== CURVES_DEFAULTS.xAxis) q.x = state.xAxis;
  if (state.logY) q.logy = '1';
  if (state.groupRepeats) q.group = '1';
  if (state.openGroups.join(',') !== CURVES_DEFAULTS.openGroups.join(',')) q.open = state.openGroups.join(',');
  if (state.runFilter !== '') q.filter = state.runFilter;
  return q;
}

/** What a link sets; keys it does not carry (or carries badly) are absent, so the caller keeps its own. */
export function parseCurvesQuery(query: Record<string, string>): Partial<CurvesState> {
  const out: Partial<CurvesState> = {};
  if (query.runs !== undefined) out.runs = idsOf(query.runs);
  const smoothing = query.smoothing === undefined ? NaN : Number(query.smoothing);
  if (query.smoothing !== undefined && query.smoothing.trim() !== '' && smoothing >= 0 && smoothing <= 0.999)
    out.smoothing = smoothing;
  const xAxis = choiceOf(query.x, X_AXES);
  if (xAxis !== undefined) out.xAxis = xAxis;
  const logY = flagOf(query.logy);
  if (logY !== undefined) out.logY = logY;
  const group = flagOf(query.group);
  if (group !== undefined) out.groupRepeats = group;
  if (query.open !== undefined) out.openGroups = query.open.split(',').filter((g) => g !== '');
  if (query.filter !== undefined) out.runFilter = query.filter;
  return out;
}
