import { describe, expect, it } from 'vitest';
import { compareExperiments, type ExperimentInput } from '../compare.ts';
import { defaultRunConfig } from '../config.ts';
import {
  README_BASELINE,
  README_CONSOLE,
  README_R01,
  README_R02,
  README_R03,
  evalMetrics,
  seriesMetrics,
  type SplitSeries,
} from '../../test/results-fixture.ts';
import { consoleReport, consoleTableLines } from './console.ts';
import { csvField, originalCsv, statsCsv } from './csv.ts';
import { formatDelta, formatMean, formatP, formatStd, runsPhrase } from './format.ts';
import { renderComparisons } from './index.ts';
import { escapeLatex, latexCell, latexTable } from './latex.ts';
import { escapeMarkdown, markdownTable } from './markdown.ts';

function experiment(name: string, series: SplitSeries, dataset = 'imagenetlt'): ExperimentInput {
  return {
    name,
    dataset,
    runs: series.few.map((_, i) => ({
      seed: i,
      test: seriesMetrics(series, i),
      val: null,
      config: defaultRunConfig(dataset),
      selection: 'best-val',
    })),
  };
}

function baseline(dataset = 'imagenetlt', name = 'Baseline'): ExperimentInput {
  const b = README_BASELINE;
  return {
    name,
    isBaseline: true,
    dataset,
    runs: [
      { seed: null, test: evalMetrics(b.few, b.medium, b.many, b.overall), val: null, config: null, selection: null },
    ],
  };
}

const readme = () =>
  compareExperiments([
    baseline(),
    experiment('AlphaNet (r=0.1)', README_R01),
    experiment('AlphaNet (r=0.2)', README_R02),
    experiment('AlphaNet (r=0.3)', README_R03),
  ]);

describe('number formatting', () => {
  it('rounds means and stds as Python does (exact ties to even)', () => {
    // python3: format(47.25, '.1f') == '47.2', format(0.125, '.2f') == '0.12', format(9.995, '.2f') == '9.99'
    expect(formatMean(47.25)).toBe('47.2');
    expect(formatMean(47.75)).toBe('47.8');
    expect(formatStd(0.125)).toBe('0.12');
    expect(formatStd(9.995)).toBe('9.99');
  });

  it('formats Δ and p-values for display', () => {
    expect(formatDelta(20.2)).toBe('+20.2');
    expect(formatDelta(-9.125)).toBe('-9.1');
    expect(formatP(0.0376368)).toBe('0.038');
    expect(formatP(0.00456)).toBe('0.0046');
    expect(formatP(0.00012)).toBe('0.00012');
    expect(formatP(1e-7)).toBe('<0.0001');
  });
});

describe('console (the original run_printres layout)', () => {
  it('reproduces the two-row table exactly from per-run values', () => {
    const c = compareExperiments([baseline(), experiment('AlphaNet (r=0.1)', README_R01)]);
    expect(consoleTableLines(c).join('\n')).toBe(
      [
        'Experiment                Few         Med.         Many      Overall',
        '----------------  -----------  -----------  -----------  -----------',
        'Baseline                 27.4         46.2         61.8         49.6',
        'AlphaNet (r=0.1)  47.6^±1.60^  37.1^±0.76^  53.8^±0.62^  45.0^±0.41^',
      ].join('\n'),
    );
  });

  it('reproduces the README report (table, then the CSV of means)', () => {
    expect(consoleReport([readme()])).toBe(README_CONSOLE);
    expect(renderComparisons([readme()], 'console')).toBe(README_CONSOLE);
  });

  it('widens a column whose std reaches 10 and titles each dataset when there are several', () => {
    const wide: SplitSeries = {
      few: [0.1, 0.3, 0.5],
      medium: [0.4, 0.41, 0.42],
      many: [0.5, 0.5, 0.5],
      overall: [0.3, 0.31, 0.32],
    };
    const a = compareExperiments([experiment('k=1', wide, 'a')]);
    const b = compareExperiments([experiment('k=1', README_R01, 'b')]);
    const text = consoleReport([a, b], { a: 'CIFAR-100-LT | RIDE' });
    expect(text).toBe(
      [
        '',
        '',
        'CIFAR-100-LT | RIDE:',
        '====================',
        '',
        'Experiment           Few         Med.         Many      Overall',
        '----------  ------------  -----------  -----------  -----------',
        'k=1         30.0^±20.00^  41.0^±1.00^  50.0^±0.00^  31.0^±1.00^',
        '',
        'Experiment,Few,Medium,Many,Overall',
        'k=1,30.0,41.0,50.0,31.0',
        '',
        '',
        '',
        'b:',
        '==',
        '',
        'Experiment          Few         Med.         Many      Overall',
        '----------  -----------  -----------  -----------  -----------',
        'k=1         47.6^±1.60^  37.1^±0.76^  53.8^±0.62^  45.0^±0.41^',
        '',
        'Experiment,Few,Medium,Many,Overall',
        'k=1,47.6,37.1,53.8,45.0',
        '',
        '',
      ].join('\n'),
    );
  });

  it('leaves cells without a value blank', () => {
    const c = compareExperiments([experiment('a', README_R01)], { metric: { datagrp: 'test', metric: 'top5' } });
    expect(consoleTableLines(c)[2]).toBe(`a${' '.repeat(11)}${' '.repeat(13 * 3)}70.0^±0.41^`);
  });
});

describe('CSV', () => {
  it('quotes like Python csv and pads means like the original', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('plain (r=0.1)')).toBe('plain (r=0.1)');
    const low: SplitSeries = { few: [0.053], medium: [0.1], many: [0.2], overall: [0.3] };
    const c = compareExperiments([experiment('x,y', low)]);
    expect(originalCsv(c)).toBe('Experiment,Few,Medium,Many,Overall\n"x,y", 5.3,10.0,20.0,30.0\n');
  });

  it('writes mean, std and n per column', () => {
    const text = statsCsv([readme()], { rounded: true });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Dataset,Experiment,Runs,Few mean,Few std,Few n,Medium mean,Medium std,Medium n,Many mean,Many std,Many n,Overall mean,Overall std,Overall n',
    );
    expect(lines[1]).toBe('imagenetlt,Baseline,1,27.4,,1,46.2,,1,61.8,,1,49.6,,1');
    expect(lines[2]).toBe('imagenetlt,AlphaNet (r=0.1),10,47.6,1.60,10,37.1,0.76,10,53.8,0.62,10,45.0,0.41,10');
    const full = statsCsv([readme()]).split('\n')[2].split(',');
    expect(Number(full[4])).toBeCloseTo(1.6001914468796121, 12);
  });

  it("renders the original's means form per dataset, blocks separated by a blank line", () => {
    const a = compareExperiments([baseline('a'), experiment('r=0.1', README_R01, 'a')]);
    const b = compareExperiments([experiment('r=0.2', README_R02, 'b')]);
    expect(renderComparisons([a, b], 'csv-means')).toBe(
      [
        'Experiment,Few,Medium,Many,Overall',
        'Baseline,27.4,46.2,61.8,49.6',
        'r=0.1,47.6,37.1,53.8,45.0',
        '',
        'Experiment,Few,Medium,Many,Overall',
        'r=0.2,45.7,39.0,55.7,46.3',
        '',
      ].join('\n'),
    );
  });
});

describe('LaTeX', () => {
  it('escapes specials and Greek letters in names', () => {
    expect(escapeLatex('a_b & 50% #1 {x} $y ~z^ \\')).toBe(
      'a\\_b \\& 50\\% \\#1 \\{x\\} \\$y \\textasciitilde{}z\\textasciicircum{} \\textbackslash{}',
    );
    expect(escapeLatex('α‑cRT (ρ=0.5)')).toBe('$\\alpha$-cRT ($\\rho$=0.5)');
  });

  it('renders the three cell styles with bold best and underlined second', () => {
    const c = readme();
    const few = (name: string) => c.rows.find((r) => r.name === name)!.cells.few;
    expect(latexCell(few('AlphaNet (r=0.1)'), 'pm')).toBe('$\\textbf{47.6} \\pm 1.60$');
    expect(latexCell(few('AlphaNet (r=0.2)'), 'sub')).toBe('$\\underline{45.7}_{\\pm 1.56}$');
    expect(latexCell(few('AlphaNet (r=0.3)'), 'sup')).toBe('$42.9^{1.29}$');
    expect(latexCell(few('Baseline'), 'pm')).toBe('27.4');
    expect(latexCell(undefined, 'pm')).toBe('--');
  });

  it('writes a booktabs table with a caption stating the runs', () => {
    const text = latexTable([readme()], { label: 'tab:rho' });
    expect(text).toBe(
      [
        '\\begin{table}[t]',
        '  \\centering',
        '  \\caption{Test top-1 accuracy (\\%), mean and sample standard deviation over 10 runs (baseline: a single evaluation). Best in bold, second best underlined.}',
        '  \\label{tab:rho}',
        '  \\begin{tabular}{l rrrr}',
        '    \\toprule',
        '    Experiment & Few & Med. & Many & Overall \\\\',
        '    \\midrule',
        '    Baseline & 27.4 & \\textbf{46.2} & \\textbf{61.8} & \\textbf{49.6} \\\\',
        '    \\midrule',
        '    AlphaNet (r=0.1) & $\\textbf{47.6} \\pm 1.60$ & $37.1 \\pm 0.76$ & $53.8 \\pm 0.62$ & $45.0 \\pm 0.41$ \\\\',
        '    AlphaNet (r=0.2) & $\\underline{45.7} \\pm 1.56$ & $39.0 \\pm 0.78$ & $55.7 \\pm 0.79$ & $46.3 \\pm 0.52$ \\\\',
        '    AlphaNet (r=0.3) & $42.9 \\pm 1.29$ & $\\underline{40.4} \\pm 0.72$ & $\\underline{57.0} \\pm 0.68$ & $\\underline{47.1} \\pm 0.47$ \\\\',
        '    \\bottomrule',
        '  \\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
    expect(text).not.toMatch(/\|/);
  });

  it('groups columns per dataset with \\cmidrule when datasets sit side by side', () => {
    const a = compareExperiments([baseline('imagenetlt'), experiment('r=0.1', README_R01, 'imagenetlt')]);
    const b = compareExperiments([baseline('placeslt'), experiment('r=0.2', README_R02, 'placeslt')]);
    const text = latexTable([a, b], { titles: { imagenetlt: 'ImageNet-LT', placeslt: 'Places-LT' }, style: 'sup' });
    expect(text).toContain('\\begin{tabular}{l rrrr rrrr}');
    expect(text).toContain(
      '    & \\multicolumn{4}{c}{ImageNet-LT} & \\multicolumn{4}{c}{Places-LT} \\\\\n    \\cmidrule(lr){2-5} \\cmidrule(lr){6-9}',
    );
    // Ranks are per dataset: with two rows there, the other one is second best.
    expect(text).toContain(
      '    r=0.1 & $\\textbf{47.6}^{1.60}$ & $\\underline{37.1}^{0.76}$ & $\\underline{53.8}^{0.62}$ & $\\underline{45.0}^{0.41}$ & -- & -- & -- & -- \\\\',
    );
    expect(text).toContain('    Baseline & \\underline{27.4} & \\textbf{46.2}');
    expect(text.match(/Baseline/g)).toHaveLength(1);
  });

  it('states run ranges', () => {
    const three: SplitSeries = {
      few: README_R01.few.slice(0, 3),
      medium: README_R01.medium.slice(0, 3),
      many: README_R01.many.slice(0, 3),
      overall: README_R01.overall.slice(0, 3),
    };
    const c = compareExperiments([experiment('a', README_R01), experiment('b', three)]);
    expect(runsPhrase([c], '--')).toBe('3--10 runs');
    expect(runsPhrase([compareExperiments([baseline()])])).toBeNull();
  });
});

describe('Markdown', () => {
  it('writes a pipe table with bold / underline and escaped names', () => {
    const c = compareExperiments([
      baseline(),
      experiment('AlphaNet (r=0.1)', README_R01),
      experiment('a|b_c', README_R02),
    ]);
    expect(escapeMarkdown('a|b_c*')).toBe('a\\|b\\_c\\*');
    expect(markdownTable([c])).toBe(
      [
        '| Experiment | Few | Med. | Many | Overall |',
        '|:---|---:|---:|---:|---:|',
        '| Baseline | 27.4 | **46.2** | **61.8** | **49.6** |',
        '| AlphaNet (r=0.1) | **47.6** ± 1.60 | 37.1 ± 0.76 | 53.8 ± 0.62 | 45.0 ± 0.41 |',
        '| a\\|b\\_c | <u>45.7</u> ± 1.56 | <u>39.0</u> ± 0.78 | <u>55.7</u> ± 0.79 | <u>46.3</u> ± 0.52 |',
        '',
      ].join('\n'),
    );
    expect(markdownTable([c], { style: 'sup' })).toContain('| **47.6**^±1.60^ |');
    expect(markdownTable([c], { style: 'sub' })).toContain('| **47.6**<sub>±1.60</sub> |');
  });
});

describe('exports with the marks shown on screen', () => {
  const tested = () =>
    compareExperiments(
      [baseline(), experiment('AlphaNet (r=0.1)', README_R01), experiment('AlphaNet (r=0.3)', README_R03)],
      {
        reference: 'AlphaNet (r=0.1)',
      },
    );

  it('leaves the cells as they were without marks', () => {
    const c = tested();
    expect(latexTable([c], { marks: {} })).toBe(latexTable([c]));
    expect(markdownTable([c], { marks: {} })).toBe(markdownTable([c]));
    expect(markdownTable([c])).not.toMatch(/[†Δ]/);
  });

  it('writes Δ for experiments (not the baseline) and a † where p < 0.05, explained under the table', () => {
    const c = tested();
    const row = c.rows.find((r) => r.name === 'AlphaNet (r=0.3)');
    if (!row) throw new Error('no row');
    const significant = Object.values(row.cells).filter(
      (cell) => cell.test !== null && cell.test !== undefined && cell.test.p < 0.05,
    ).length;
    const md = markdownTable([c], { marks: { delta: true, significance: true } });
    const line = md.split('\n').find((l) => l.startsWith('| AlphaNet (r=0.3)')) ?? '';
    expect(line).toContain(formatDelta(row.cells.overall.delta ?? NaN));
    expect((line.match(/†/g) ?? []).length).toBe(significant);
    expect(md.split('\n').find((l) => l.startsWith('| Baseline'))).toContain(
      formatMean(c.rows[0].cells.overall.mean ?? NaN),
    );
    expect(md).toMatch(/difference to the baseline \(Δ, points\)\. † p \\< 0\.05 \(t-test\) vs AlphaNet \(r=0\.1\)\./);

    const tex = latexTable([c], { marks: { delta: true, significance: true } });
    expect(tex).toMatch(
      /\\caption\{.*\(\$\\Delta\$, points\)\. \$\^\\dagger\$ \$p < 0\.05\$ \(t-test\) vs AlphaNet \(r=0\.1\)\.\}/,
    );
    const texLine = tex.split('\n').find((l) => l.trim().startsWith('AlphaNet (r=0.3)')) ?? '';
    expect((texLine.match(/\^\{\\dagger\}/g) ?? []).length).toBe(significant);
    expect(texLine).toContain(formatDelta(row.cells.overall.delta ?? NaN));
  });
});
