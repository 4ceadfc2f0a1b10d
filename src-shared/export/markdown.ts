/** A Markdown (pipe) table per dataset; best mean `**bold**`, second best `<u>underlined</u>`. */
import { COLUMNS, COLUMN_TITLES, type CellStats, type Comparison } from '../compare.ts';
import { markedCell, marksNote, type CellMarks, type CellStyle } from './format.ts';

/** Backslash-escapes what would otherwise be read as Markdown or break the table. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|^~]/g, (ch) => `\\${ch}`);
}

/** One cell: `47.6 ± 1.60` (pm), `47.6<sub>±1.60</sub>` (sub), `47.6^±1.60^` (sup, pandoc); `–` when empty. */
export function markdownCell(cell: CellStats, style: CellStyle, marks: CellMarks = {}, isBaseline = false): string {
  const { mean, std, rank, dagger } = markedCell(cell, isBaseline, marks);
  if (mean === null) return '–';
  const emphasized = rank === 1 ? `**${mean}**` : rank === 2 ? `<u>${mean}</u>` : mean;
  const m = dagger ? `${emphasized}†` : emphasized;
  if (std === null) return m;
  if (style === 'pm') return `${m} ± ${std}`;
  if (style === 'sub') return `${m}<sub>±${std}</sub>`;
  return `${m}^±${std}^`;
}

export interface MarkdownOptions {
  /** Default 'pm'. */
  style?: CellStyle;
  /** Display names of datasets, by key; each dataset's table gets a `**title**` line when there are several. */
  titles?: Readonly<Record<string, string>>;
  /** Δ and † as on screen, explained in a note under the table. */
  marks?: CellMarks;
}

export function markdownTable(comparisons: readonly Comparison[], options: MarkdownOptions = {}): string {
  const style = options.style ?? 'pm';
  const marks = options.marks ?? {};
  const blocks = comparisons.map((comparison) => {
    const lines: string[] = [];
    if (comparisons.length > 1)
      lines.push(`**${escapeMarkdown(options.titles?.[comparison.dataset] ?? comparison.dataset)}**`, '');
    lines.push(`| Experiment | ${COLUMNS.map((c) => COLUMN_TITLES[c]).join(' | ')} |`);
    lines.push(`|:---|${COLUMNS.map(() => '---:').join('|')}|`);
    for (const row of comparison.rows) {
      lines.push(
        `| ${escapeMarkdown(row.name)} | ${COLUMNS.map((c) => markdownCell(row.cells[c], style, marks, row.isBaseline)).join(' | ')} |`,
      );
    }
    return lines.join('\n');
  });
  const note = marksNote(comparisons, marks, '†');
  return blocks.join('\n\n') + '\n' + (note === null ? '' : `\n${escapeMarkdown(note)}\n`);
}
