/**
 * Number and cell formatting shared by every export: percent means with one decimal, stds with two,
 * rounded exactly as Python's `format(x, '.Nf')` rounds (the original's tables come from Python).
 */
import type { CellStats, Comparison } from '../compare.ts';

/**
 * `x.toFixed(digits)`, except that exact ties round half to even as Python does (JS rounds them
 * up: 0.125 → "0.13", Python → "0.12"), and −0 keeps its sign. digits ≤ 20.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  let text = abs.toFixed(digits);
  // toFixed(100) is the exact decimal expansion for every double ≥ 2^-48; smaller ones are no tie here.
  if (abs >= 2 ** -48 && abs < 1e21) {
    const exact = abs.toFixed(100);
    const point = exact.indexOf('.');
    const rest = exact.slice(point + 1 + digits);
    if (/^50*$/.test(rest)) {
      const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
      const lastDigit = Number(truncated[truncated.length - 1]);
      // An even last digit stays (round down); an odd one rounds up, which toFixed already did.
      if (lastDigit % 2 === 0) text = truncated;
    }
  }
  return sign + text;
}

/** A mean in percent: one decimal. */
export function formatMean(mean: number): string {
  return formatFixed(mean, 1);
}

/** A std in percent: two decimals. */
export function formatStd(std: number): string {
  return formatFixed(std, 2);
}

/** A signed Δ in percentage points, e.g. `+20.2` / `-9.1`. */
export function formatDelta(delta: number): string {
  const text = formatFixed(delta, 1);
  return text.startsWith('-') ? text : `+${text}`;
}

/** A p-value: three significant digits, `<1e-4` style below 0.0001. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'nan';
  if (p < 1e-4) return '<0.0001';
  return p < 0.001 ? p.toPrecision(2) : formatFixed(p, p < 0.01 ? 4 : 3);
}

/**
 * How mean and std share a cell: `pm` = `47.6 ± 1.60`, `sub` = `47.6` with `±1.60` below (subscript),
 * `sup` = the original's paper form, std as superscript (`$47.6^{1.60}$`).
 */
export type CellStyle = 'pm' | 'sub' | 'sup';
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
