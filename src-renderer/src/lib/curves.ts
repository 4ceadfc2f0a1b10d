/**
 * The curves view's data work, kept free of Vue and ECharts so it can be tested: tag groups, stable
 * run colours, x axes, smoothing, and mean ± std over repeated runs aligned at exact steps.
 */
import type { RunCurves, ScalarPoint } from '../../../src-shared/api.ts';
import { debiasedEma } from '../../../src-shared/smoothing.ts';

export type XAxisMode = 'step' | 'relative' | 'wall';

export interface TagGroup {
  name: string;
  tags: string[];
}

const GROUP_ORDER = ['loss', 'validation', 'alphas', 'test', 'learning rate'];

/** Which section a tag belongs to: losses together, then by the tag's first path segment. */
export function tagGroupName(tag: string): string {
  if (tag.endsWith('loss')) return 'loss';
  if (tag === 'lr') return 'learning rate';
  const slash = tag.indexOf('/');
  return slash < 0 ? 'other' : tag.slice(0, slash);
}

/** One collator for every comparison: localeCompare with options builds one per call (tens of ms for a view's tags). */
const naturalCompare = new Intl.Collator(undefined, { numeric: true }).compare;

/** The open sections after `name` is opened or folded: the same list when nothing changes (no redraw). */
export function withGroupOpen(open: readonly string[], name: string, isOpen: boolean): readonly string[] {
  if (isOpen === open.includes(name)) return open;
  return isOpen ? [...open, name] : open.filter((g) => g !== name);
}

export function groupTags(tags: Iterable<string>): TagGroup[] {
  const groups = new Map<string, string[]>();
  for (const tag of tags) {
    const name = tagGroupName(tag);
    groups.set(name, [...(groups.get(name) ?? []), tag]);
  }
  const rank = (name: string) => {
    const i = GROUP_ORDER.indexOf(name);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  return [...groups.entries()]
    .map(([name, list]) => ({ name, tags: list.sort(naturalCompare) }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * A colour per run that never changes with the selection (TensorBoard keeps colours stable too): 24
 * distinguishable hues (Tableau 10, then the darker and lighter tones of Tableau 20 and a few more);
 * no grey, which reads as a raw line. Consecutive run ids take consecutive colours, so the runs of
 * one experiment (created together) never share one unless there are more than 24 of them.
 */
export const PALETTE: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#dbdb8d',
  '#9edae5',
  '#637939',
  '#8c6d31',
  '#843c39',
  '#7b4173',
  '#3182bd',
];

export function colorFor(key: number | string): string {
  if (typeof key === 'number' && Number.isInteger(key))
    return PALETTE[((key % PALETTE.length) + PALETTE.length) % PALETTE.length];
  const text = String(key);
  // FNV-1a for group keys: a cheap, well-spread hash.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return PALETTE[h % PALETTE.length];
}

/** x value of a point: step, hours since the series' first point (TensorBoard's "relative"), or wall ms. */
export function xOf(point: ScalarPoint, mode: XAxisMode, startWall: number): number {
  switch (mode) {
    case 'step':
      return point.step;
    case 'relative':
      return (point.wallTime - startWall) / 3600;
    case 'wall':
      return point.wallTime * 1000;
  }
}

export interface PlotPoint {
  x: number;
  raw: number;
  smoothed: number;
  step: number;
}

/** Points ready to draw; on a log axis, values ≤ 0 cannot be shown and are left out. */
export function plotPoints(
  points: readonly ScalarPoint[],
  mode: XAxisMode,
  smoothing: number,
  logY: boolean,
): PlotPoint[] {
  const kept = logY ? points.filter((p) => p.value > 0) : points;
  const smoothed = debiasedEma(
    kept.map((p) => p.value),
    smoothing,
  );
  const start = kept.length > 0 ? kept[0].wallTime : 0;
  return kept.map((p, i) => ({ x: xOf(p, mode, start), raw: p.value, smoothed: smoothed[i], step: p.step }));
}

export interface BandPoint {
  step: number;
  /** Mean wall time of the runs at this step (for time axes). */
  wallTime: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 when n = 1. */
  std: number;
  n: number;
}

/**
 * Mean and sample std over runs at each step some run reached, using only runs that have that exact
 * step (no interpolation); n says how many did.
 */
export function meanStdByStep(series: readonly (readonly ScalarPoint[])[]): BandPoint[] {
  const byStep = new Map<number, { values: number[]; walls: number[] }>();
  for (const points of series) {
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      const entry = byStep.get(p.step) ?? { values: [], walls: [] };
      entry.values.push(p.value);
      entry.walls.push(p.wallTime);
      byStep.set(p.step, entry);
    }
  }
  return [...byStep.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, { values, walls }]) => {
      const n = values.length;
      const mean = values.reduce((s, v) => s + v, 0) / n;
      const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
      return { step, wallTime: walls.reduce((s, v) => s + v, 0) / n, mean, std: Math.sqrt(variance), n };
    });
}

/**
 * The group's band where its runs share steps: only steps every run (with any point) has, so the
 * mean never jumps where a run stops or skips. A step some runs lack is no point of the band.
 */
export function sharedBand(series: readonly (readonly ScalarPoint[])[]): BandPoint[] {
  const nRuns = series.filter((points) => points.some((p) => Number.isFinite(p.value))).length;
  return meanStdByStep(series).filter((b) => b.n === nRuns);
}

/**
 * A group whose runs each have one point (test metrics, recorded once at the kept epoch, a different
 * step per run): their mean ± std as one point, at the runs' mean step and wall time; null otherwise.
 */
export function singlePointSummary(series: readonly (readonly ScalarPoint[])[]): BandPoint | null {
  const points = series.map((s) => s.filter((p) => Number.isFinite(p.value)));
  if (points.length < 2 || points.some((p) => p.length !== 1)) return null;
  const values = points.map((p) => p[0].value);
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const avg = (f: (p: ScalarPoint) => number) => points.reduce((a, p) => a + f(p[0]), 0) / n;
  return { step: avg((p) => p.step), wallTime: avg((p) => p.wallTime), mean, std, n };
}

/** Runs whose label matches the filter; an invalid regex matches as plain text instead of failing. */
export function filterByRegex<T>(
  items: readonly T[],
  pattern: string,
  label: (item: T) => string,
): { items: T[]; valid: boolean } {
  if (pattern.trim() === '') return { items: [...items], valid: true };
  try {
    const re = new RegExp(pattern, 'i');
    return { items: items.filter((item) => re.test(label(item))), valid: true };
  } catch {
    const needle = pattern.toLowerCase();
    return { items: items.filter((item) => label(item).toLowerCase().includes(needle)), valid: false };
  }
}

/**
 * A refetched run's curves, keeping the previous array of every tag whose points did not change, so
 * charts whose data is the same see the same array and are not redrawn while other tags grow.
 */
export function mergeCurves(previous: RunCurves | undefined, fresh: RunCurves): RunCurves {
  if (!previous) return fresh;
  const tags: Record<string, ScalarPoint[]> = {};
  for (const [tag, points] of Object.entries(fresh.tags)) {
    const old = previous.tags[tag];
    tags[tag] = old !== undefined && samePoints(old, points) ? old : points;
  }
  return { ...fresh, tags };
}

function samePoints(a: readonly ScalarPoint[], b: readonly ScalarPoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].step !== b[i].step || a[i].value !== b[i].value || a[i].wallTime !== b[i].wallTime) return false;
  }
  return true;
}
