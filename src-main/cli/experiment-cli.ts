/**
 * What the commands that read one experiment share (combos, plot-data): its runs from the store
 * (`--experiment`) or from result files (`--base-res-dir`, as the original's scripts), with the dataset
 * (train labels for the sample counts, test for a baseline evaluated on the spot) and the baseline.
 */
import path from 'node:path';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { findDataset } from '../data/config.ts';
import { UserError } from '../errors.ts';
import {
  experimentConfigs,
  experimentDataset,
  gatherResultFiles,
  gatherStoreExperiment,
  loadInspectorDataset,
  type GatheredExperiment,
} from '../inspector/experiment.ts';
import { globFiles } from '../results/glob.ts';
import { readResultFile } from '../results/result-file.ts';
import { getString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';
import type { CliIO } from './command.ts';
import { readNetworkFile } from './commands/eval.ts';
import { DEFAULT_RES_FILES_PATTERN } from './commands/results.ts';
import { BACKEND_FLAG, backendOf, cacheRootOf, DATASET_FLAGS } from './engine-cli.ts';
import { DB_FLAG, openStoreArg, parseRunId } from './store-cli.ts';

export const EXPERIMENT_SOURCE_FLAGS: FlagSpec[] = [
  { name: 'experiment', kind: 'string', help: 'the experiment (group of runs) in the store' },
  {
    name: 'group',
    kind: 'string',
    help: 'one config of a sweep, by its label as `alphanet runs` prints it (e.g. "k=5, ρ=0.5")',
  },
  DB_FLAG,
  {
    name: 'baseline-run',
    kind: 'string',
    help: "the baseline run's id (default: the dataset's newest finished baseline, else evaluated now)",
  },
  { name: 'base-res-dir', kind: 'string', help: 'read result files under this folder instead of the store' },
  {
    name: 'rel-exp-path',
    kind: 'string',
    help: 'the experiment folder, relative to --base-res-dir (default: the folder itself)',
  },
  {
    name: 'res-files-pattern',
    kind: 'string',
    help: 'glob of result files under the experiment folder',
    default: DEFAULT_RES_FILES_PATTERN,
  },
  ...DATASET_FLAGS,
  BACKEND_FLAG,
];

async function loadFor(
  key: string,
  configFile: string | undefined,
  args: ParsedArgs,
  io: CliIO,
): Promise<LoadedDataset> {
  const { spec, warnings } = findDataset(key, configFile, io.cwd);
  for (const w of warnings) io.err(`warning: ${w}`);
  const ds = await loadInspectorDataset(spec, cacheRootOf(args, io));
  for (const w of ds.warnings) io.err(`warning: ${w}`);
  return ds;
}

const configArg = (args: ParsedArgs, io: CliIO): string | undefined => {
  const flag = getString(args, 'config');
  return flag === undefined ? undefined : path.resolve(io.cwd, flag);
};

/** `  k=5, ρ=0.5` and `k=5,ρ=0.5` name the same config. */
const sameLabel = (a: string, b: string) => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');

/** The experiment's configs read one at a time: all of a sweep's, or the one `--group` names. */
async function fromStore(
  args: ParsedArgs,
  io: CliIO,
  experiment: string,
): Promise<{ ds: LoadedDataset; gs: GatheredExperiment[] }> {
  const { db, store } = openStoreArg(args, io);
  try {
    const { key, configFile } = experimentDataset(store, experiment, getString(args, 'dataset'));
    const ds = await loadFor(key, configArg(args, io) ?? configFile ?? undefined, args, io);
    const configs = experimentConfigs(store.listRuns({ dataset: key, experiment, kind: 'train', status: 'done' }));
    const group = getString(args, 'group');
    const chosen = group === undefined ? configs : configs.filter((c) => sameLabel(c.label, group));
    if (chosen.length === 0) {
      throw new UsageError(
        `experiment '${experiment}' has no config '${group}' (its configs: ${configs.map((c) => `'${c.label || '(one config)'}'`).join(', ')})`,
      );
    }
    const baselineFlag = getString(args, 'baseline-run');
    const gs: GatheredExperiment[] = [];
    for (const c of chosen) {
      gs.push(
        await gatherStoreExperiment(store, ds, experiment, {
          baselineRunId: baselineFlag === undefined ? undefined : parseRunId(baselineFlag),
          backend: backendOf(args),
          cacheRoot: cacheRootOf(args, io),
          configHash: c.configHash,
        }),
      );
    }
    if (gs[0].baseline.runId === null)
      io.err(`note: no recorded baseline of '${key}'; evaluated the pretrained classifier instead`);
    return { ds, gs };
  } finally {
    db.close();
  }
}

async function fromFiles(
  args: ParsedArgs,
  io: CliIO,
  baseResDir: string,
): Promise<{ ds: LoadedDataset; g: GatheredExperiment }> {
  const rel = getString(args, 'rel-exp-path') ?? '.';
  const dir = path.resolve(io.cwd, baseResDir, rel);
  const pattern = getString(args, 'res-files-pattern') ?? DEFAULT_RES_FILES_PATTERN;
  const files = await globFiles(dir, pattern);
  if (files.length === 0) throw new UserError(`${dir}: no result files match '${pattern}' (set --res-files-pattern)`);
  const results = [];
  for (const file of files) {
    const res = await readResultFile(file, 'run');
    results.push({
      file,
      res,
      network: await readNetworkFile(file),
      predScale: res.config.training.pred_scale,
      seed: Number.isFinite(res.seed) ? res.seed : null,
    });
  }
  const datasets = [...new Set(results.map((r) => r.res.dataset))];
  if (datasets.length > 1)
    throw new UserError(`the result files are of several datasets (${datasets.join(', ')}); all must be of one`);
  const key = getString(args, 'dataset') ?? datasets[0]!;
  if (key !== datasets[0])
    io.err(`note: the result files are of dataset '${datasets[0]}'; reading them against '${key}'`);
  const ds = await loadFor(key, configArg(args, io), args, io);
  const g = await gatherResultFiles(ds, rel, results, {
    backend: backendOf(args),
    cacheRoot: cacheRootOf(args, io),
    testDatagrp: results[0]!.res.config.training.test_datagrp,
  });
  return { ds, g };
}

/**
 * The experiment named by `--experiment` (store) or `--base-res-dir` (result files), with its dataset:
 * one entry per config read (a sweep's configs each on their own, never pooled).
 */
export async function experimentsFromArgs(
  args: ParsedArgs,
  io: CliIO,
): Promise<{ ds: LoadedDataset; gs: GatheredExperiment[] }> {
  const experiment = getString(args, 'experiment');
  const baseResDir = getString(args, 'base-res-dir');
  if ((experiment === undefined) === (baseResDir === undefined))
    throw new UsageError('give either --experiment (the store) or --base-res-dir (result files)');
  if (experiment !== undefined) return fromStore(args, io, experiment);
  if (getString(args, 'group') !== undefined)
    throw new UsageError('--group goes with --experiment (a sweep in the store)');
  const { ds, g } = await fromFiles(args, io, baseResDir!);
  return { ds, gs: [g] };
}
