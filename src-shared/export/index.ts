/** One entry point for every export format (the CLI's --format, the Compare view's export menu). */
import type { Comparison } from '../compare.ts';
import { consoleReport } from './console.ts';
import { originalCsv, statsCsv } from './csv.ts';
import type { CellMarks, CellStyle } from './format.ts';
import { latexTable } from './latex.ts';
import { markdownTable } from './markdown.ts';

export type ExportFormat = 'console' | 'csv' | 'csv-means' | 'latex' | 'markdown';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['console', 'csv', 'csv-means', 'latex', 'markdown'];

/** File name extension and MIME type of each format, for saving an export. */
export const EXPORT_FILES: Readonly<Record<ExportFormat, { extension: string; mime: string }>> = {
  console: { extension: 'txt', mime: 'text/plain' },
  csv: { extension: 'csv', mime: 'text/csv' },
  'csv-means': { extension: 'csv', mime: 'text/csv' },
  latex: { extension: 'tex', mime: 'application/x-tex' },
  markdown: { extension: 'md', mime: 'text/markdown' },
};

export interface RenderOptions {
  /** Cell style for LaTeX and Markdown (default 'pm'). */
  style?: CellStyle;
  /** Display names of datasets by key. */
  titles?: Readonly<Record<string, string>>;
  /** Δ and significance marks as on screen (LaTeX and Markdown). */
  marks?: CellMarks;
  /** LaTeX caption / label overrides. */
  caption?: string;
  label?: string;
}

/**
 * `console`: the original's report (table + CSV of means); `csv`: mean / std / n per column;
 * `csv-means`: the original's `Experiment,Few,Medium,Many,Overall` means, one block per dataset
 * separated by a blank line, as its report prints them.
 */
export function renderComparisons(
  comparisons: readonly Comparison[],
  format: ExportFormat,
  options: RenderOptions = {},
): string {
  switch (format) {
    case 'console':
      return consoleReport(comparisons, options.titles);
    case 'csv':
      return statsCsv(comparisons);
    case 'csv-means':
      return comparisons.map(originalCsv).join('\n');
    case 'latex':
      return latexTable(comparisons, options);
    case 'markdown':
      return markdownTable(comparisons, options);
  }
}
