import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareExperiments, type ExperimentInput } from '../src-shared/compare.ts';
import { latexTable } from '../src-shared/export/latex.ts';
import {
  README_BASELINE,
  README_R01,
  README_R02,
  evalMetrics,
  seriesMetrics,
  type SplitSeries,
} from './results-fixture.ts';

const hasPdflatex = spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPdflatex) {
  console.warn(
    'latex-compile.test.ts: SKIPPED, pdflatex not found (Debian: apt-get install texlive-latex-recommended)',
  );
}

function experiment(name: string, series: SplitSeries, dataset: string): ExperimentInput {
  return {
    name,
    dataset,
    runs: series.few.map((_, i) => ({
      seed: i,
      test: seriesMetrics(series, i),
      val: null,
      config: null,
      selection: 'best-val',
    })),
  };
}

function compile(table: string): { ok: boolean; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'alphanet-latex-'));
  try {
    const doc = [
      '\\documentclass{article}',
      '\\usepackage[utf8]{inputenc}',
      '\\usepackage{booktabs}',
      '\\begin{document}',
      table,
      '\\end{document}',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'table.tex'), doc);
    const run = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'table.tex'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { ok: run.status === 0 && existsSync(path.join(dir, 'table.pdf')), log: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasPdflatex)('LaTeX export compiles with pdflatex + booktabs', () => {
  const b = README_BASELINE;
  const comparisons = ['imagenetlt', 'places_lt'].map((dataset) =>
    compareExperiments([
      {
        name: 'Baseline',
        isBaseline: true,
        dataset,
        runs: [
          {
            seed: null,
            test: evalMetrics(b.few, b.medium, b.many, b.overall),
            val: null,
            config: null,
            selection: null,
          },
        ],
      },
      experiment('α‑cRT (ρ=0.1) & 50% #1_x', README_R01, dataset),
      experiment('{weird} $name^ ~ \\', README_R02, dataset),
    ]),
  );

  it.each(['pm', 'sub', 'sup'] as const)('style %s, two datasets side by side', (style) => {
    const result = compile(latexTable(comparisons, { style, titles: { places_lt: 'Places_LT & co' }, label: 'tab:x' }));
    expect(result.ok, result.log.slice(-2000)).toBe(true);
  });
});
