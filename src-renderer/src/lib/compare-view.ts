/** What the Compare view shows of a comparison: cell texts, significance marks, export choices. */
import type { CellStats, Comparison, ComparisonRow } from '../../../src-shared/compare.ts';
import type { CompareDataset } from '../../../src-shared/compare-groups.ts';
import type { SelectionRule } from '../../../src-shared/config.ts';
import {
  formatDelta,
  formatMean,
  formatP,
  formatStd,
  SIGNIFICANCE_ALPHA,
  type CellStyle,
} from '../../../src-shared/export/format.ts';
import { EXPORT_FILES, type ExportFormat } from '../../../src-shared/export/index.ts';
import type { TTestKind } from '../../../src-shared/stats.ts';

/** The usual significance level (the exports' too); the p-value itself is shown on hover. */
export const ALPHA = SIGNIFICANCE_ALPHA;

export interface CellView {
  /** The mean, or with Δ on the signed difference to the baseline; '–' without a value. */
  main: string;
  /** `± 1.60`; null for a single run, with Δ on, or without a value. */
  std: string | null;
  n: number;
  /** What the cell stands for in words (hover). */
  title: string;
}

export function cellView(cell: CellStats, row: ComparisonRow, showDelta: boolean): CellView {
  if (cell.mean === null) return { main: '–', std: null, n: 0, title: 'no value' };
  const summary = `mean ${formatMean(cell.mean)}${cell.std === null ? '' : ` ± ${formatStd(cell.std)}`} over ${cell.n} ${cell.n === 1 ? 'run' : 'runs'}`;
  if (showDelta && !row.isBaseline && cell.delta !== null) {
    return {
      main: formatDelta(cell.delta),
      std: null,
      n: cell.n,
      title: `${formatDelta(cell.delta)} points vs the baseline; ${summary}`,
    };
  }
  return {
    main: formatMean(cell.mean),
    std: cell.std === null ? null : `± ${formatStd(cell.std)}`,
    n: cell.n,
    title: summary,
  };
}

const TEST_NAMES: Record<TTestKind, string> = {
  welch: "Welch's t-test",
  paired: 'paired t-test (runs paired by seed)',
  'one-sample': 'one-sample t-test against the single run',
};

export interface Significance {
  /** p < ALPHA: the cell gets a dagger. */
  significant: boolean;
  /** E.g. "p = 0.038, Welch's t-test vs Baseline". */
  title: string;
}

/** The test of a cell against the reference row; null where there is none (the reference itself, too few runs). */
export function significanceOf(cell: CellStats, reference: string | null): Significance | null {
  if (!cell.test || reference === null || Number.isNaN(cell.test.p)) return null;
  const p = formatP(cell.test.p);
  return {
    significant: cell.test.p < ALPHA,
    title: `p ${p.startsWith('<') ? `< ${p.slice(1)}` : `= ${p}`}, ${TEST_NAMES[cell.test.kind]} vs ${reference}`,
  };
}

export const SELECTION_TEXT: Record<SelectionRule | 'mixed', string> = {
  'best-val': 'best val',
  'min-epochs': 'epoch min_epochs',
  mixed: 'mixed',
};

export function selectionText(row: ComparisonRow): string {
  return row.selection === null ? '–' : SELECTION_TEXT[row.selection];
}

export const EXPORT_CHOICES: readonly { format: ExportFormat; label: string }[] = [
  { format: 'latex', label: 'LaTeX (booktabs)' },
  { format: 'csv', label: 'CSV: mean, std, n' },
  { format: 'csv-means', label: "CSV: means (the original's)" },
  { format: 'markdown', label: 'Markdown' },
];

export const STYLE_CHOICES: readonly { style: CellStyle; label: string }[] = [
  { style: 'pm', label: '47.6 ± 1.60' },
  { style: 'sub', label: '47.6 with ±1.60 below' },
  { style: 'sup', label: "47.6 with 1.60 above (the original's)" },
];

/** `comparison-demo.tex`: the datasets shown, made safe for a file name. */
export function exportFileName(comparisons: readonly Comparison[], format: ExportFormat): string {
  const datasets = comparisons.map((c) => c.dataset.replace(/[^\w.-]+/g, '_')).join('-') || 'empty';
  return `comparison-${datasets}.${EXPORT_FILES[format].extension}`;
}

/** What a first visit selects: every dataset with its named experiments (config groups are opt-in). */
export function defaultSelection(datasets: readonly CompareDataset[]): Record<string, string[]> {
  return Object.fromEntries(
    datasets.map((d) => [d.dataset, d.groups.filter((g) => g.kind === 'experiment').map((g) => g.id)]),
  );
}

/** Keeps the chosen groups that still exist, dropping datasets that have none left. */
export function pruneSelection(
  selected: Readonly<Record<string, readonly string[]>>,
  datasets: readonly CompareDataset[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of datasets) {
    const ids = new Set(d.groups.map((g) => g.id));
    const kept = (selected[d.dataset] ?? []).filter((id) => ids.has(id));
    if (kept.length > 0) out[d.dataset] = kept;
  }
  return out;
}
