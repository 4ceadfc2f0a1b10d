import fs from 'node:fs';
import path from 'node:path';
import {
  COLUMNS,
  METRIC_NAMES,
  compareByDataset,
  type Column,
  type Comparison,
  type ExperimentInput,
  type MetricName,
} from '../../../src-shared/compare.ts';
import { CELL_STYLES, type CellStyle } from '../../../src-shared/export/format.ts';
import { EXPORT_FORMATS, renderComparisons, type ExportFormat } from '../../../src-shared/export/index.ts';
import { findDataset } from '../../data/config.ts';
import { UserError } from '../../errors.ts';
import { loadBaselines, loadFolderExperiments } from '../../results/folders.ts';
import { getBoolean, getList, getString, requireString, UsageError, type ParsedArgs } from '../args.ts';
import type { CliIO, Command } from '../command.ts';

/** The original's default for --res-files-pattern. */
export const DEFAULT_RES_FILES_PATTERN = '**/*.pth';

/**
 * Where the experiments come from. Folders now; the store mode (`--experiment NAME…`) is another
 * source returning the same ExperimentInput list.
 */
type ExperimentSource = () => Promise<ExperimentInput[]>;

function folderSource(args: ParsedArgs, io: CliIO): ExperimentSource {
  const rel = getList(args, 'rel-exp-paths');
  if (!rel) throw new UsageError('--rel-exp-paths is required');
  return () =>
    loadFolderExperiments({
      baseResDir: path.resolve(io.cwd, requireString(args, 'base-res-dir')),
      relExpPaths: rel,
      expNames: getList(args, 'exp-names'),
      pattern: getString(args, 'res-files-pattern') ?? DEFAULT_RES_FILES_PATTERN,
      prefix: getString(args, 'exp-prefix'),
      suffix: getString(args, 'exp-suffix'),
    });
}

/**
 * The baseline rows: the given files, else each dataset's `baseline_eval_file` from datasets.toml
 * (as the original does), noting on stderr where none can be found.
 */
async function baselineRows(args: ParsedArgs, io: CliIO, datasets: string[]): Promise<ExperimentInput[]> {
  if (getBoolean(args, 'baseline') === false) return [];
  const given = getList(args, 'baseline-file');
  if (given) return loadBaselines(given.map((f) => path.resolve(io.cwd, f)));
  const files: string[] = [];
  for (const dataset of datasets) {
    try {
      const { spec } = findDataset(dataset, getString(args, 'config'), io.cwd);
      if (fs.existsSync(spec.baselineEvalFile)) files.push(spec.baselineEvalFile);
      else io.err(`note: no baseline row for ${dataset}: ${spec.baselineEvalFile} does not exist (run \`alphanet baseline\` or pass --baseline-file)`);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      io.err(`note: no baseline row for ${dataset}: ${error.message} (pass --baseline-file)`);
    }
  }
  return loadBaselines(files);
}

/** Display names (datasets.toml `proper_name`) where the dataset is known; keys otherwise. */
function datasetTitles(args: ParsedArgs, io: CliIO, datasets: string[]): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const dataset of datasets) {
    try {
      titles[dataset] = findDataset(dataset, getString(args, 'config'), io.cwd).spec.properName;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
  }
  return titles;
}

export const command: Command = {
  spec: {
    name: 'results',
    summary:
      'Print the results table of experiments (groups of repeated runs), as the original run_printres.py: mean and sample std per split, the baseline first, then the means as CSV. Reads our result JSON files and the original\'s result files.',
    usage:
      'alphanet results --base-res-dir D --rel-exp-paths P [P ...] [--exp-names N [N ...]] [--res-files-pattern GLOB] [--exp-prefix S] [--exp-suffix S] [--baseline-file F ...] [--format console|csv|latex|markdown] [--out FILE]',
    flags: [
      { name: 'base-res-dir', kind: 'string', help: 'base folder of the experiment folders' },
      { name: 'rel-exp-paths', kind: 'list', help: 'experiment folders, relative to --base-res-dir' },
      { name: 'exp-names', kind: 'list', help: 'display names, one per experiment path (default: the paths)' },
      {
        name: 'res-files-pattern',
        kind: 'string',
        help: "glob of result files under each experiment folder, e.g. 'rep_*/result.json'",
        default: DEFAULT_RES_FILES_PATTERN,
      },
      { name: 'exp-prefix', kind: 'string', help: 'text put before every experiment name' },
      { name: 'exp-suffix', kind: 'string', help: 'text put after every experiment name' },
      {
        name: 'baseline-file',
        kind: 'list',
        help: "baseline result files (ours from `alphanet baseline --save-file`, or the original's); default: each dataset's baseline_eval_file",
      },
      { name: 'baseline', kind: 'boolean', help: 'show the baseline row (--no-baseline: leave it out)', default: 'on' },
      { name: 'config', kind: 'string', help: 'datasets.toml for the default baseline files and dataset names' },
      { name: 'format', kind: 'string', help: 'output format', choices: EXPORT_FORMATS, default: 'console' },
      { name: 'latex-style', kind: 'string', help: 'mean/std cell style for latex and markdown', choices: CELL_STYLES, default: 'pm' },
      { name: 'metric', kind: 'string', help: 'the metric compared (top-5 and F1 have an Overall value only)', choices: METRIC_NAMES, default: 'top1' },
      { name: 'datagrp', kind: 'string', help: 'evaluate on the test or the val datagrp', choices: ['test', 'val'], default: 'test' },
      { name: 'sort-by', kind: 'string', help: 'sort experiments by a column, best first (default: as given)', choices: COLUMNS },
      { name: 'out', kind: 'string', short: 'o', help: 'write to this file instead of stdout' },
    ],
  },
  async run(args, io) {
    const source = folderSource(args, io);
    const experiments = await source();
    const datasets = [...new Set(experiments.map((e) => e.dataset))];
    const baselines = await baselineRows(args, io, datasets);
    for (const b of baselines) {
      if (!datasets.includes(b.dataset)) io.err(`note: the baseline is for dataset '${b.dataset}', which no experiment uses`);
    }
    const sortBy = getString(args, 'sort-by') as Column | undefined;
    let comparisons: Comparison[];
    try {
      comparisons = compareByDataset([...baselines, ...experiments], {
        metric: {
          datagrp: getString(args, 'datagrp') === 'val' ? 'val' : 'test',
          metric: (getString(args, 'metric') ?? 'top1') as MetricName,
        },
        sortBy: sortBy ? { column: sortBy } : null,
      });
    } catch (error) {
      // Repeated experiment names (the original would silently merge them).
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    for (const c of comparisons) for (const w of c.warnings) io.err(`warning: ${c.dataset}: ${w}`);
    const text = renderComparisons(comparisons, (getString(args, 'format') ?? 'console') as ExportFormat, {
      style: (getString(args, 'latex-style') ?? 'pm') as CellStyle,
      titles: datasetTitles(args, io, [...new Set(comparisons.map((c) => c.dataset))]),
    });
    const out = getString(args, 'out');
    if (out) {
      const file = path.resolve(io.cwd, out);
      try {
        fs.writeFileSync(file, text);
      } catch (error) {
        throw new UserError(`cannot write ${file}: ${(error as Error).message}`);
      }
    } else io.out(text);
    return 0;
  },
};
