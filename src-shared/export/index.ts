/** One entry point for every export format (the CLI's --format, the Compare view's export menu). */
import type { Comparison } from '../compare.ts';
import { consoleReport } from './console.ts';
import { statsCsv } from './csv.ts';
import type { CellStyle } from './format.ts';
import { latexTable } from './latex.ts';
import { markdownTable } from './markdown.ts';

export type ExportFormat = 'console' | 'csv' | 'latex' | 'markdown';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['console', 'csv', 'latex', 'markdown'];

export interface RenderOptions {
  /** Cell style for LaTeX and Markdown (default 'pm'). */
  style?: CellStyle;
  /** Display names of datasets by key. */
  titles?: Readonly<Record<string, string>>;
  /** LaTeX caption / label overrides. */
  caption?: string;
  label?: string;
}

/** `console`: the original's report (table + CSV of means); `csv`: mean / std / n per column. */
export function renderComparisons(comparisons: readonly Comparison[], format: ExportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'console':
      return consoleReport(comparisons, options.titles);
    case 'csv':
      return statsCsv(comparisons);
    case 'latex':
      return latexTable(comparisons, options);
    case 'markdown':
      return markdownTable(comparisons, options);
  }
}
