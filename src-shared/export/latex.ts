/**
 * A booktabs LaTeX table (needs `\usepackage{booktabs}`): no vertical rules, one column group
 * per dataset (`\cmidrule`) when several are side by side, best mean bold, second underlined.
 */
import {
  COLUMNS,
  COLUMN_TITLES,
  metricLabel,
  type CellStats,
  type Comparison,
  type ComparisonRow,
} from '../compare.ts';
import { markedCell, marksNote, mergedRowNames, runsPhrase, type CellMarks, type CellStyle } from './format.ts';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

// Characters experiment names commonly carry (α-cRT, ρ=0.5) that pdflatex cannot take as UTF-8 text.
const LATEX_UNICODE: Record<string, string> = {
  α: '$\\alpha$',
  β: '$\\beta$',
  γ: '$\\gamma$',
  δ: '$\\delta$',
  ε: '$\\epsilon$',
  η: '$\\eta$',
  θ: '$\\theta$',
  κ: '$\\kappa$',
  λ: '$\\lambda$',
  μ: '$\\mu$',
  π: '$\\pi$',
  ρ: '$\\rho$',
  σ: '$\\sigma$',
  τ: '$\\tau$',
  φ: '$\\phi$',
  ω: '$\\omega$',
  Δ: '$\\Delta$',
  '±': '$\\pm$',
  '×': '$\\times$',
  '≤': '$\\leq$',
  '≥': '$\\geq$',
  '–': '--',
  '—': '---',
  '‑': '-',
};

/** Escapes text (names, captions) for LaTeX: the ten specials, and Greek letters / symbols as math. */
export function escapeLatex(text: string): string {
  return [...text].map((ch) => LATEX_SPECIALS[ch] ?? LATEX_UNICODE[ch] ?? ch).join('');
}

function emphasize(text: string, rank: 1 | 2 | null): string {
  return rank === 1 ? `\\textbf{${text}}` : rank === 2 ? `\\underline{${text}}` : text;
}

/** One cell: `$\textbf{47.6} \pm 1.60$` (pm), `$47.6_{\pm 1.60}$` (sub), `$47.6^{1.60}$` (sup); `--` when empty. */
export function latexCell(
  cell: CellStats | undefined,
  style: CellStyle,
  marks: CellMarks = {},
  isBaseline = false,
): string {
  if (!cell) return '--';
  const { mean, std, rank, dagger } = markedCell(cell, isBaseline, marks);
  if (mean === null) return '--';
  const m = emphasize(mean, rank);
  const mark = dagger ? '^{\\dagger}' : '';
  if (std === null) return mark ? `$${m}${mark}$` : m;
  if (style === 'pm') return `$${m}${mark} \\pm ${std}$`;
  if (style === 'sub') return `$${m}_{\\pm ${std}}${mark}$`;
  return `$${m}^{${std}}${mark ? `{}${mark}` : ''}$`;
}

export interface LatexOptions {
  /** Default 'pm'. */
  style?: CellStyle;
  /** Caption text, LaTeX as is; default states the metric and the number of runs. */
  caption?: string;
  /** `\label{…}` when given. */
  label?: string;
  /** Display names of datasets (column group titles), by dataset key. */
  titles?: Readonly<Record<string, string>>;
  /** Δ and † as on screen; the caption explains them (the footnote of the table). */
  marks?: CellMarks;
}

/** The default caption: metric, what the cells hold and over how many runs, the emphasis. */
export function latexCaption(comparisons: readonly Comparison[]): string {
  const metric = comparisons[0] ? metricLabel(comparisons[0].metric) : 'accuracy';
  const runs = runsPhrase(comparisons, '--');
  const what = runs ? `mean and sample standard deviation over ${runs}` : 'single runs';
  const baselineNote = comparisons.some((c) => c.rows.some((r) => r.isBaseline))
    ? ' (baseline: a single evaluation)'
    : '';
  return `${escapeLatex(metric[0].toUpperCase() + metric.slice(1))} (\\%), ${what}${baselineNote}. Best in bold, second best underlined.`;
}

/** The marks' explanation appended to the caption (a table's footnote in LaTeX), or nothing. */
function captionNote(comparisons: readonly Comparison[], marks: CellMarks): string {
  const note = marksNote(comparisons, marks, '\u2020');
  // `<` in text mode prints as ¡ with the default font encoding: the threshold goes into math.
  return note === null
    ? ''
    : ` ${escapeLatex(note)
        .replace('\u2020', '$^\\dagger$')
        .replace(/p < ([\d.]+)/, '$p < $1$')}`;
}

/** A complete `table` environment; comparisons are one per dataset, rows matched by name. */
export function latexTable(comparisons: readonly Comparison[], options: LatexOptions = {}): string {
  const style = options.style ?? 'pm';
  const marks = options.marks ?? {};
  const names = mergedRowNames(comparisons);
  const find = (c: Comparison, name: string): ComparisonRow | undefined => c.rows.find((r) => r.name === name);
  const nCols = COLUMNS.length;
  const lines: string[] = [
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${options.caption ?? latexCaption(comparisons)}${captionNote(comparisons, marks)}}`,
  ];
  if (options.label) lines.push(`  \\label{${options.label}}`);
  lines.push(`  \\begin{tabular}{l${` ${'r'.repeat(nCols)}`.repeat(comparisons.length)}}`, '    \\toprule');
  if (comparisons.length > 1) {
    const groups = comparisons.map(
      (c) => `\\multicolumn{${nCols}}{c}{${escapeLatex(options.titles?.[c.dataset] ?? c.dataset)}}`,
    );
    lines.push(`    & ${groups.join(' & ')} \\\\`);
    const rules = comparisons.map((_, i) => `\\cmidrule(lr){${2 + i * nCols}-${1 + (i + 1) * nCols}}`);
    lines.push(`    ${rules.join(' ')}`);
  }
  const titles = comparisons.flatMap(() => COLUMNS.map((c) => COLUMN_TITLES[c]));
  lines.push(`    Experiment & ${titles.join(' & ')} \\\\`, '    \\midrule');
  let previousWasBaseline = false;
  names.forEach((name, i) => {
    const rows = comparisons.map((c) => find(c, name));
    const isBaseline = rows.some((r) => r?.isBaseline);
    // A rule between the baseline rows and the experiments, as in the paper's tables.
    if (i > 0 && previousWasBaseline && !isBaseline) lines.push('    \\midrule');
    previousWasBaseline = isBaseline;
    const cells = rows.flatMap((row) => COLUMNS.map((c) => latexCell(row?.cells[c], style, marks, row?.isBaseline)));
    lines.push(`    ${escapeLatex(name)} & ${cells.join(' & ')} \\\\`);
  });
  lines.push('    \\bottomrule', '  \\end{tabular}', '\\end{table}');
  return lines.join('\n') + '\n';
}
