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
import { displayNamesOf, experimentInputs } from '../../../src-shared/compare-groups.ts';
import { CELL_STYLES, type CellStyle } from '../../../src-shared/export/format.ts';
import { EXPORT_FORMATS, renderComparisons, type ExportFormat } from '../../../src-shared/export/index.ts';
import { findDataset } from '../../data/config.ts';
import { UserError } from '../../errors.ts';
import { loadBaselines, loadFolderExperiments } from '../../results/folders.ts';
import { finishedCompareRuns, storeCompareGroups } from '../../store/compare-runs.ts';
import { getBoolean, getList, getString, requireString, UsageError, type ParsedArgs } from '../args.ts';
import type { CliIO, Command } from '../command.ts';
import { DB_FLAG, openStoreArg } from '../store-cli.ts';

/** The original's default for --res-files-pattern. */
export const DEFAULT_RES_FILES_PATTERN = '**/*.pth';

/**
 * Where the rows come from: result files under folders, or the store. `baselines` is null where the
 * source has none of its own (then each dataset's baseline_eval_file is read).
 */
interface Rows {
  experiments: ExperimentInput[];
  baselines: ExperimentInput[] | null;
  /** Dataset display names the source knows. */
  titles: Record<string, string>;
}

async function folderRows(args: ParsedArgs, io: CliIO): Promise<Rows> {
  const rel = getList(args, 'rel-exp-paths');
  if (!rel)
    throw new UsageError('give --experiment NAME… (the store) or --base-res-dir D --rel-exp-paths P… (result files)');
  const experiments = await loadFolderExperiments({
    baseResDir: path.resolve(io.cwd, requireString(args, 'base-res-dir')),
    relExpPaths: rel,
    expNames: getList(args, 'exp-names'),
    pattern: getString(args, 'res-files-pattern') ?? DEFAULT_RES_FILES_PATTERN,
    prefix: getString(args, 'exp-prefix'),
    suffix: getString(args, 'exp-suffix'),
  });
  return { experiments, baselines: null, titles: {} };
}

/**
 * Named experiments of the store, once per dataset they ran on (or only on `--dataset`), in the order
 * given, with each dataset's newest recorded baseline run as its baseline row.
 */
function storeRows(args: ParsedArgs, io: CliIO, names: string[]): Rows {
  const { db, store } = openStoreArg(args, io, { readOnly: true });
  try {
    const dataset = getString(args, 'dataset');
    const runs = finishedCompareRuns(store, dataset);
    const listed = storeCompareGroups(store, runs);
    const byId = new Map(runs.map((r) => [r.id, r]));
    const recorded = (d: (typeof listed)[number]) => d.groups.filter((g) => g.kind === 'experiment');
    const chosen = listed
      .map((d) => ({ dataset: d, groups: names.flatMap((n) => recorded(d).filter((g) => g.name === n)) }))
      .filter((c) => c.groups.length > 0);
    const found = new Set(chosen.flatMap((c) => c.groups.map((g) => g.name)));
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0) {
      const known = [...new Set(listed.flatMap((d) => recorded(d).map((g) => g.name)))];
      const where = dataset === undefined ? '' : ` on dataset '${dataset}'`;
      throw new UserError(
        `no finished runs of experiment ${missing.map((n) => `'${n}'`).join(', ')}${where} in ${db.name} (${known.length > 0 ? `recorded: ${known.join(', ')}` : 'none recorded'})`,
      );
    }
    const baselines = chosen.flatMap((c) => {
      if (c.dataset.baselineRunId !== null) return experimentInputs(c.dataset, [], byId);
      io.err(
        `note: no baseline row for ${c.dataset.dataset}: no finished baseline run in ${db.name} (run \`alphanet baseline --dataset ${c.dataset.dataset}\` or pass --baseline-file)`,
      );
      return [];
    });
    return {
      experiments: chosen.flatMap((c) => experimentInputs(c.dataset, c.groups, byId, false)),
      baselines,
      titles: displayNamesOf(chosen.map((c) => c.dataset)),
    };
  } finally {
    db.close();
  }
}

/**
 * The baseline rows: the given files, else the source's own (the store's baseline runs), else each
 * dataset's `baseline_eval_file` from datasets.toml (as the original does), noting on stderr where
 * none can be found.
 */
async function baselineRows(
  args: ParsedArgs,
  io: CliIO,
  datasets: string[],
  own: ExperimentInput[] | null,
): Promise<ExperimentInput[]> {
  if (getBoolean(args, 'baseline') === false) return [];
  const given = getList(args, 'baseline-file');
  if (given) return loadBaselines(given.map((f) => path.resolve(io.cwd, f)));
  if (own) return own;
  const files: string[] = [];
  for (const dataset of datasets) {
    try {
      const { spec } = findDataset(dataset, getString(args, 'config'), io.cwd);
      if (fs.existsSync(spec.baselineEvalFile)) files.push(spec.baselineEvalFile);
      else
        io.err(
          `note: no baseline row for ${dataset}: ${spec.baselineEvalFile} does not exist (run \`alphanet baseline\` or pass --baseline-file)`,
        );
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
      "Print the results table of experiments (groups of repeated runs), as the original run_printres.py: mean and sample std per split, the baseline first, then the means as CSV. Reads the runs recorded in the store (--experiment), or our result JSON files and the original's result files (--base-res-dir).",
    usage:
      'alphanet results --experiment NAME [NAME ...] [--dataset KEY] [--db FILE] [options]\n' +
      '       alphanet results --base-res-dir D --rel-exp-paths P [P ...] [--exp-names N [N ...]] [--res-files-pattern GLOB] [--exp-prefix S] [--exp-suffix S] [options]\n' +
      '       options: [--baseline-file F ...] [--no-baseline] [--format FORMAT] [--latex-style STYLE] [--metric M] [--datagrp test|val] [--sort-by COLUMN] [--out FILE]',
    flags: [
      {
        name: 'experiment',
        kind: 'list',
        help: 'experiments recorded in the store, a row each in this order (instead of --base-res-dir)',
      },
      {
        name: 'dataset',
        kind: 'string',
        help: 'with --experiment: only runs on this dataset (default: a table per dataset they ran on)',
      },
      DB_FLAG,
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
        help: "baseline result files (ours from `alphanet baseline --save-file`, or the original's); default: the store's newest baseline run (--experiment), else each dataset's baseline_eval_file",
      },
      { name: 'baseline', kind: 'boolean', help: 'show the baseline row (--no-baseline: leave it out)', default: 'on' },
      { name: 'config', kind: 'string', help: 'datasets.toml for the default baseline files and dataset names' },
      { name: 'format', kind: 'string', help: 'output format', choices: EXPORT_FORMATS, default: 'console' },
      {
        name: 'latex-style',
        kind: 'string',
        help: 'mean/std cell style for latex and markdown',
        choices: CELL_STYLES,
        default: 'pm',
      },
      {
        name: 'metric',
        kind: 'string',
        help: 'the metric compared (top-5 and F1 have an Overall value only)',
        choices: METRIC_NAMES,
        default: 'top1',
      },
      {
        name: 'datagrp',
        kind: 'string',
        help: 'evaluate on the test or the val datagrp',
        choices: ['test', 'val'],
        default: 'test',
      },
      {
        name: 'sort-by',
        kind: 'string',
        help: 'sort experiments by a column, best first (default: as given)',
        choices: COLUMNS,
      },
      { name: 'out', kind: 'string', short: 'o', help: 'write to this file instead of stdout' },
    ],
  },
  async run(args, io) {
    const names = getList(args, 'experiment');
    if (names && (getString(args, 'base-res-dir') !== undefined || getList(args, 'rel-exp-paths'))) {
      throw new UsageError(
        'give either --experiment (the store) or --base-res-dir with --rel-exp-paths (result files), not both',
      );
    }
    if (names?.length === 0) throw new UsageError('--experiment needs at least one name');
    if (!names && getString(args, 'dataset') !== undefined)
      throw new UsageError('--dataset goes with --experiment (result files name their dataset)');
    const rows = names ? storeRows(args, io, names) : await folderRows(args, io);
    const { experiments } = rows;
    const datasets = [...new Set(experiments.map((e) => e.dataset))];
    const baselines = await baselineRows(args, io, datasets, rows.baselines);
    for (const b of baselines) {
      if (!datasets.includes(b.dataset))
        io.err(`note: the baseline is for dataset '${b.dataset}', which no experiment uses`);
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
      // The store names every dataset it lists; datasets.toml is read only for the others (result files).
      titles: {
        ...datasetTitles(
          args,
          io,
          [...new Set(comparisons.map((c) => c.dataset))].filter((d) => !(d in rows.titles)),
        ),
        ...rows.titles,
      },
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
