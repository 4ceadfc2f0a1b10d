/**
 * Number and cell formatting shared by every export: percent means with one decimal, stds with two,
 * rounded exactly as Python's `format(x, '.Nf')` rounds (the original's tables come from Python).
 */
import type { CellStats, Comparison } from '../compare.ts';
import { pyFixed } from '../report/pyformat.ts';

/** A mean in percent: one decimal. */
export function formatMean(mean: number): string {
  return pyFixed(mean, 1);
}

/** A std in percent: two decimals. */
export function formatStd(std: number): string {
  return pyFixed(std, 2);
}

/** A signed Δ in percentage points, e.g. `+20.2` / `-9.1`. */
export function formatDelta(delta: number): string {
  const text = pyFixed(delta, 1);
  return text.startsWith('-') ? text : `+${text}`;
}

/** A p-value: `0.038`, `0.0046`, `0.00012` (about two significant digits), `<0.0001` below that. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'nan';
  if (p < 1e-4) return '<0.0001';
  return p < 0.001 ? p.toPrecision(2) : pyFixed(p, p < 0.01 ? 4 : 3);
}

/**
 * How mean and std share a cell: `pm` = `47.6 ± 1.60`, `sub` = `47.6` with `±1.60` below (subscript),
 * `sup` = the original's paper form, std as superscript (`$47.6^{1.60}$`).
 */
export type CellStyle = 'pm' | 'sub' | 'sup';

/** The significance level of the Compare view's † and of the exports' (the p-value itself is shown on hover). */
export const SIGNIFICANCE_ALPHA = 0.05;

/** The marks shown on screen that an export carries too. */
export interface CellMarks {
  /** Experiments' cells as the signed difference to the baseline (Δ), as the view shows them with Δ on. */
  delta?: boolean;
  /** A † where the test against the reference row has p < SIGNIFICANCE_ALPHA. */
  significance?: boolean;
}

/** A cell as exported with marks: its mean text (or Δ), whether its std is kept, and its dagger. */
export function markedCell(cell: CellStats, isBaseline: boolean, marks: CellMarks): CellText & { dagger: boolean } {
  const text = cellText(cell);
  const dagger =
    marks.significance === true && cell.test !== null && cell.test !== undefined && cell.test.p < SIGNIFICANCE_ALPHA;
  if (marks.delta && !isBaseline && cell.delta !== null && cell.delta !== undefined && text.mean !== null) {
    return { mean: formatDelta(cell.delta), std: null, rank: text.rank, dagger };
  }
  return { ...text, dagger };
}

/** The footnote explaining the marks in use, or null without any (`reference`: the tested-against row). */
export function marksNote(comparisons: readonly Comparison[], marks: CellMarks, dagger: string): string | null {
  const parts: string[] = [];
  if (marks.delta && comparisons.some((c) => c.rows.some((r) => r.isBaseline)))
    parts.push('Experiments as the difference to the baseline (Δ, points).');
  const reference = comparisons.find((c) => c.reference !== null)?.reference;
  if (marks.significance && reference) parts.push(`${dagger} p < ${SIGNIFICANCE_ALPHA} (t-test) vs ${reference}.`);
  return parts.length > 0 ? parts.join(' ') : null;
}
export const CELL_STYLES: readonly CellStyle[] = ['pm', 'sub', 'sup'];

/** The parts of a displayed cell; std null for a single run, mean null when there is no value. */
export interface CellText {
  mean: string | null;
  std: string | null;
  rank: 1 | 2 | null;
}

export function cellText(cell: CellStats): CellText {
  return {
    mean: cell.mean === null ? null : formatMean(cell.mean),
    std: cell.std === null ? null : formatStd(cell.std),
    rank: cell.rank,
  };
}

/**
 * Row names of several comparisons (one per dataset) shown side by side: baselines first, then the
 * rest in order of first appearance; a name present in only some datasets gets empty cells elsewhere.
 */
export function mergedRowNames(comparisons: readonly Comparison[]): string[] {
  const baselines = comparisons.flatMap((c) => c.rows.filter((r) => r.isBaseline).map((r) => r.name));
  const others = comparisons.flatMap((c) => c.rows.filter((r) => !r.isBaseline).map((r) => r.name));
  return [...new Set([...baselines, ...others])];
}

/** "10 runs", "3–10 runs" (en dash given as `dash`), from the non-baseline rows; null when there are none. */
export function runsPhrase(comparisons: readonly Comparison[], dash = '–'): string | null {
  const counts = comparisons.flatMap((c) => c.rows.filter((r) => !r.isBaseline).map((r) => r.nRuns));
  if (counts.length === 0) return null;
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const range = lo === hi ? String(lo) : `${lo}${dash}${hi}`;
  return `${range} ${hi === 1 ? 'run' : 'runs'}`;
}
