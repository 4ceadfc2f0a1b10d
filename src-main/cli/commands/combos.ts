import path from 'node:path';
import { formatCombos, type CombosOptions } from '../../../src-shared/report/combos.ts';
import type { LoadedDataset } from '../../../src-shared/dataset.ts';
import { findDataset } from '../../data/config.ts';
import { loadDataset } from '../../data/dataset.ts';
import { UserError } from '../../errors.ts';
import { combosInputFor, gatherResultFiles, gatherStoreExperiment, type GatheredExperiment } from '../../inspector/experiment.ts';
import { globFiles } from '../../results/glob.ts';
import { readResultFile } from '../../results/result-file.ts';
import { datasetConfigOf } from '../../store/recorded-run.ts';
import { getBoolean, getNumber, getString, UsageError, type ParsedArgs } from '../args.ts';
import type { CliIO, Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, DATASET_FLAGS } from '../engine-cli.ts';
import { DB_FLAG, openStoreArg, parseRunId } from '../store-cli.ts';
import { readNetworkFile } from './eval.ts';
import { DEFAULT_RES_FILES_PATTERN } from './results.ts';

/** The datasets the report needs: train (sample counts) and test (the baseline when it is computed). */
async function loadFor(key: string, configFile: string | undefined, args: ParsedArgs, io: CliIO): Promise<LoadedDataset> {
  const { spec, warnings } = findDataset(key, configFile, io.cwd);
  for (const w of warnings) io.err(`warning: ${w}`);
  const cacheFlag = getString(args, 'cache-dir');
  const cacheDir = getBoolean(args, 'cache') === false ? null : cacheFlag === undefined ? undefined : path.resolve(io.cwd, cacheFlag);
  const ds = await loadDataset(spec, { cacheDir, datagrps: ['train', 'test'].filter((g) => spec.datagrps.includes(g)), lazyFeatures: true });
  for (const w of ds.warnings) io.err(`warning: ${w}`);
  return ds;
}

const configArg = (args: ParsedArgs, io: CliIO): string | undefined => {
  const flag = getString(args, 'config');
  return flag === undefined ? undefined : path.resolve(io.cwd, flag);
};

async function fromStore(args: ParsedArgs, io: CliIO, experiment: string): Promise<{ ds: LoadedDataset; g: GatheredExperiment }> {
  const { db, store } = openStoreArg(args, io);
  try {
    const runs = store.listRuns({ experiment, kind: 'train', status: 'done' });
    const datasets = [...new Set(runs.map((r) => r.dataset))];
    const key = getString(args, 'dataset') ?? datasets[0];
    if (key === undefined) throw new UserError(`no finished training runs of experiment '${experiment}' (see \`alphanet runs\`)`);
    if (getString(args, 'dataset') === undefined && datasets.length > 1) {
      throw new UsageError(`experiment '${experiment}' has runs on ${datasets.join(', ')}: choose one with --dataset`);
    }
    const first = runs.find((r) => r.dataset === key);
    const ds = await loadFor(key, configArg(args, io) ?? (first ? datasetConfigOf(first) ?? undefined : undefined), args, io);
    const baselineFlag = getString(args, 'baseline-run');
    const g = await gatherStoreExperiment(store, ds, experiment, {
      baselineRunId: baselineFlag === undefined ? undefined : parseRunId(baselineFlag),
      backend: backendOf(args),
    });
    if (g.baseline.runId === null) io.err(`note: no recorded baseline of '${key}'; evaluated the pretrained classifier instead`);
    return { ds, g };
  } finally {
    db.close();
  }
}

async function fromFiles(args: ParsedArgs, io: CliIO, baseResDir: string): Promise<{ ds: LoadedDataset; g: GatheredExperiment }> {
  const rel = getString(args, 'rel-exp-path') ?? '.';
  const dir = path.resolve(io.cwd, baseResDir, rel);
  const pattern = getString(args, 'res-files-pattern') ?? DEFAULT_RES_FILES_PATTERN;
  const files = await globFiles(dir, pattern);
  if (files.length === 0) throw new UserError(`${dir}: no result files match '${pattern}' (set --res-files-pattern)`);
  const results = [];
  for (const file of files) {
    const res = await readResultFile(file, 'run');
    results.push({ file, res, network: await readNetworkFile(file), predScale: res.config.training.pred_scale, seed: Number.isFinite(res.seed) ? res.seed : null });
  }
  const datasets = [...new Set(results.map((r) => r.res.dataset))];
  if (datasets.length > 1) throw new UserError(`the result files are of several datasets (${datasets.join(', ')}); all must be of one`);
  const key = getString(args, 'dataset') ?? datasets[0]!;
  if (key !== datasets[0]) io.err(`note: the result files are of dataset '${datasets[0]}'; reading them against '${key}'`);
  const ds = await loadFor(key, configArg(args, io), args, io);
  const g = await gatherResultFiles(ds, rel, results, { backend: backendOf(args), testDatagrp: results[0]!.res.config.training.test_datagrp });
  return { ds, g };
}

export const command: Command = {
  spec: {
    name: 'combos',
    summary:
      "Print the learned combinations of selected few classes and how their misclassifications change from the baseline to AlphaNet, as the original's run_showcombos.py: from an experiment in the store, or from result files (each file's network evaluated on the test set).",
    usage:
      'alphanet combos --experiment NAME [--dataset KEY] [--db FILE] [options]\n       alphanet combos --base-res-dir D [--rel-exp-path P] [--res-files-pattern GLOB] [--dataset KEY] [--config TOML] [options]',
    flags: [
      { name: 'experiment', kind: 'string', help: 'the experiment (group of runs) in the store' },
      DB_FLAG,
      { name: 'baseline-run', kind: 'string', help: "the baseline run's id (default: the dataset's newest finished baseline, else evaluated now)" },
      { name: 'base-res-dir', kind: 'string', help: 'read result files under this folder instead of the store' },
      { name: 'rel-exp-path', kind: 'string', help: 'the experiment folder, relative to --base-res-dir (default: the folder itself)' },
      { name: 'res-files-pattern', kind: 'string', help: 'glob of result files under the experiment folder', default: DEFAULT_RES_FILES_PATTERN },
      ...DATASET_FLAGS,
      { name: 'select-by', kind: 'string', help: 'rank few classes by mean AlphaNet accuracy or by its change from the baseline', choices: ['acc', 'acc_delta'], default: 'acc_delta' },
      { name: 'select-max', kind: 'boolean', help: 'largest first (--no-select-max: smallest first)', default: 'on' },
      { name: 'select-n', kind: 'integer', help: 'how many few classes to show', default: '5' },
      { name: 'mistake-n', kind: 'integer', help: 'misclassifications listed per class (default: all)' },
      { name: 'original-zero-entries', kind: 'boolean', help: "list mistakes made 0 times where the original's defaultdicts would" },
      BACKEND_FLAG,
    ],
  },
  async run(args, io) {
    const experiment = getString(args, 'experiment');
    const baseResDir = getString(args, 'base-res-dir');
    if ((experiment === undefined) === (baseResDir === undefined)) throw new UsageError('give either --experiment (the store) or --base-res-dir (result files)');
    const selectN = getNumber(args, 'select-n') ?? 5;
    const mistakeN = getNumber(args, 'mistake-n') ?? null;
    if (selectN < 0 || (mistakeN !== null && mistakeN < 0)) throw new UsageError('--select-n and --mistake-n must not be negative');
    const { ds, g } = experiment !== undefined ? await fromStore(args, io, experiment) : await fromFiles(args, io, baseResDir!);
    const options: CombosOptions = {
      selectBy: getString(args, 'select-by') === 'acc' ? 'acc' : 'acc_delta',
      selectMax: getBoolean(args, 'select-max') !== false,
      selectN,
      mistakeN,
      originalZeroEntries: getBoolean(args, 'original-zero-entries') === true,
    };
    io.out(formatCombos(combosInputFor(ds, g), options).replace(/\n$/, ''));
    return 0;
  },
};
