/** CSV exports: the original's plain means form and a full mean / std / n form. */
import { COLUMNS, type Column, type Comparison } from '../compare.ts';
import { pyFixed } from '../report/pyformat.ts';
import { formatMean, formatStd } from './format.ts';

/** The original's CSV header names (its console says "Med.", its CSV "Medium"). */
export const CSV_COLUMN_NAMES: Readonly<Record<Column, string>> = {
  few: 'Few',
  medium: 'Medium',
  many: 'Many',
  overall: 'Overall',
};

/** Quotes a field as Python's csv module does by default (QUOTE_MINIMAL): only when it must. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText(rows: string[][]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * The original's CSV (pandas `to_csv(float_format="{:4.1f}")` of the means): header
 * `Experiment,Few,Medium,Many,Overall`, means padded to four characters (` 5.3`), missing values empty.
 */
export function originalCsv(comparison: Comparison): string {
  const header = ['Experiment', ...COLUMNS.map((c) => CSV_COLUMN_NAMES[c])];
  const rows = comparison.rows.map((row) => [
    row.name,
    ...COLUMNS.map((c) => {
      const m = row.cells[c].mean;
      return m === null ? '' : pyFixed(m, 1).padStart(4);
    }),
  ]);
  return csvText([header, ...rows]);
}

export interface StatsCsvOptions {
  /** Round as displayed (mean one decimal, std two); default false: full precision. */
  rounded?: boolean;
}

/** One row per experiment and dataset: `Dataset,Experiment,Runs,Few mean,Few std,Few n,…,Overall n`. */
export function statsCsv(comparisons: readonly Comparison[], options: StatsCsvOptions = {}): string {
  const number = (x: number | null, format: (v: number) => string): string =>
    x === null ? '' : options.rounded ? format(x) : String(x);
  const header = [
    'Dataset',
    'Experiment',
    'Runs',
    ...COLUMNS.flatMap((c) => [
      `${CSV_COLUMN_NAMES[c]} mean`,
      `${CSV_COLUMN_NAMES[c]} std`,
      `${CSV_COLUMN_NAMES[c]} n`,
    ]),
  ];
  const rows = comparisons.flatMap((comparison) =>
    comparison.rows.map((row) => [
      comparison.dataset,
      row.name,
      String(row.nRuns),
      ...COLUMNS.flatMap((c) => {
        const cell = row.cells[c];
        return [number(cell.mean, formatMean), number(cell.std, formatStd), String(cell.n)];
      }),
    ]),
  );
  return csvText([header, ...rows]);
}
