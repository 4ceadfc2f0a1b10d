/**
 * The original's console report (`run_printres.py`, as its README shows it): a fixed-width table,
 * cells `47.6^±1.60^`, single runs right-aligned without std, then the means as CSV.
 */
import { COLUMNS, COLUMN_TITLES, type Comparison } from '../compare.ts';
import { originalCsv } from './csv.ts';
import { formatMean, formatStd } from './format.ts';

/** Python's len(): code points, not UTF-16 units. */
function width(text: string): number {
  return [...text].length;
}

function padEnd(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}

function padStart(text: string, size: number): string {
  return ' '.repeat(Math.max(0, size - width(text))) + text;
}

export interface ConsoleTableOptions {
  /** Width of the Experiment column; default: the longest name (at least "Experiment"). */
  nameWidth?: number;
}

/** The longest row name over several comparisons, at least len("Experiment") (the original sizes it once). */
export function consoleNameWidth(comparisons: readonly Comparison[]): number {
  return Math.max(width('Experiment'), ...comparisons.flatMap((c) => c.rows.map((r) => width(r.name))));
}

/**
 * The table lines: header, dashes, one line per row; columns separated by two spaces, trailing
 * spaces trimmed. A column's std field is five wide when any std in it reaches 10, else four.
 */
export function consoleTableLines(comparison: Comparison, options: ConsoleTableOptions = {}): string[] {
  const nameWidth = options.nameWidth ?? consoleNameWidth([comparison]);
  const stdWidth = Object.fromEntries(
    COLUMNS.map((c) => [c, comparison.rows.some((r) => (r.cells[c].std ?? 0) >= 10) ? 5 : 4]),
  ) as Record<(typeof COLUMNS)[number], number>;
  // mean (xx.x) + "^±" + std + "^"
  const cellWidth = (c: (typeof COLUMNS)[number]) => 4 + stdWidth[c] + 3;

  const header =
    padEnd('Experiment', nameWidth + 2) + COLUMNS.map((c) => `${padStart(COLUMN_TITLES[c], cellWidth(c))}  `).join('');
  const dashes = `${'-'.repeat(nameWidth)}  ` + COLUMNS.map((c) => `${'-'.repeat(cellWidth(c))}  `).join('');
  const lines = [header.trimEnd(), dashes.trimEnd()];
  for (const row of comparison.rows) {
    let line = padEnd(row.name, nameWidth + 2);
    for (const c of COLUMNS) {
      const cell = row.cells[c];
      if (cell.mean === null) line += ' '.repeat(cellWidth(c));
      else if (cell.std === null) line += padStart(formatMean(cell.mean), cellWidth(c));
      else line += `${padStart(formatMean(cell.mean), 4)}^±${padStart(formatStd(cell.std), stdWidth[c])}^`;
      line += '  ';
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/**
 * The whole report: per dataset (titled `Name:` / `=====` when there are several) the table, a blank
 * line, the CSV of the means and a blank line, as the original prints it.
 */
export function consoleReport(
  comparisons: readonly Comparison[],
  titles: Readonly<Record<string, string>> = {},
): string {
  const nameWidth = consoleNameWidth(comparisons);
  let text = '';
  for (const comparison of comparisons) {
    if (comparisons.length > 1) {
      const title = titles[comparison.dataset] ?? comparison.dataset;
      text += `\n\n${title}:\n${'='.repeat(width(title) + 1)}\n\n`;
    }
    text += `${consoleTableLines(comparison, { nameWidth }).join('\n')}\n\n${originalCsv(comparison)}\n`;
  }
  return text;
}
