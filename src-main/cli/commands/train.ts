import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ACTIVATIONS,
  DEFAULT_ALPHANET,
  DEFAULT_TRAINING,
  defaultRunConfig,
  formatKeyValues,
  LR_SCHEDULERS,
  NN_DISTS,
  OPTIMIZERS,
  parseKeyValues,
  SELECTION_RULES,
  type KeyValues,
  type LrSchedulerName,
  type NNDist,
  type OptimizerName,
  type RunConfig,
  type SelectionRule,
} from '../../../src-shared/config.ts';
import { canonicalActivation, unknownActivationMessage } from '../../../src-shared/activations.ts';
import { isNumberText, OPTIMIZER_TABLE } from '../../../src-shared/optimizers.ts';
import { SAMPLER_CLASSES } from '../../../src-shared/run-config-validation.ts';
import { initBackend } from '../../engine/backend.ts';
import { baselineAndReport } from './baseline.ts';
import type { LoadedDataset } from '../../../src-shared/dataset.ts';
import type { EpochRecord, RunResult } from '../../../src-shared/result.ts';
import type { BackendName } from '../../engine/backend.ts';
import { baselineRun, ConfigError, validateRun } from '../../engine/run.ts';
import { DistributedRunQueue } from '../../distributed/coordinator.ts';
import { UserError } from '../../errors.ts';
import { recordedTrainRun } from '../../runs/record-run.ts';
import { epochLine } from '../../runs/run-log.ts';
import type { RunRow } from '../../store/run-store.ts';
import {
  getBoolean,
  getList,
  getNumber,
  getString,
  requireString,
  UsageError,
  type FlagSpec,
  type ParsedArgs,
} from '../args.ts';
import type { CliIO, Command } from '../command.ts';
import { phasePrinter } from '../progress.ts';
import {
  BACKEND_FLAG,
  backendOf,
  cacheRootOf,
  DATASET_FLAGS,
  loadDatasetArg,
  parseSeed,
  progressLine,
  splitTable,
} from '../engine-cli.ts';
import { QUEUE_FLAG, queueArg } from '../queue-cli.ts';
import { DB_FLAG, dbFileOf, EXPERIMENT_FLAG, openStoreArg } from '../store-cli.ts';
import { OWN_CKPT_INTERVAL_S } from '../../engine/checkpoint.ts';

const T = DEFAULT_TRAINING;

const flag = (
  name: string,
  kind: FlagSpec['kind'],
  help: string,
  def?: string,
  choices?: readonly string[],
): FlagSpec => ({
  name,
  kind,
  help,
  ...(def !== undefined ? { default: def } : {}),
  ...(choices ? { choices } : {}),
});

/** The original's flags (alphanet/train.py), same names and defaults, plus ours (seed, selection, backend). */
export const TRAIN_FLAGS: FlagSpec[] = [
  ...DATASET_FLAGS,
  DB_FLAG,
  EXPERIMENT_FLAG,
  flag('save-file', 'string', 'write the run result (JSON, with the selected network) to this file'),
  flag('ckpt-dir', 'string', 'write a checkpoint every epoch to this folder and resume from its newest'),
  flag('n-ckpt', 'integer', 'checkpoints to keep', '2'),
  flag(
    'load-from-ckpt',
    'boolean',
    'resume from the newest checkpoint in --ckpt-dir (--no-load-from-ckpt: start over)',
    'on',
  ),
  flag('seed', 'string', 'seed of every random draw (default: a random seed, printed and recorded)'),
  BACKEND_FLAG,
  flag(
    'exact-reference',
    'boolean',
    'compute the straightforward way (each batch and evaluation from the features × the weights) instead of from cached pretrained scores: the same results up to float rounding, far slower at scale; for checking',
  ),
  flag('alphanet:hdims', 'list', 'hidden layer sizes of the AlphaNet MLP', DEFAULT_ALPHANET.hdims.join(' ')),
  flag(
    'alphanet:hact',
    'string',
    `activation of the hidden layers, a function of torch.nn.functional: ${ACTIVATIONS.join(', ')}`,
    DEFAULT_ALPHANET.hact,
  ),
  flag(
    'alphanet:dummy-mode',
    'boolean',
    'dummy mode: α = [1, 0, …, 0], i.e. the pretrained classifier unchanged; nothing trains, the val and test datagrps are evaluated and recorded as a baseline run',
  ),
  flag(
    'alphanet:debug',
    'boolean',
    'after every epoch, check the logits of the fast path against the features × the trained weights and fail on a mismatch',
  ),
  flag(
    'training:n-neighbors',
    'integer',
    'nearest base classes per few class (excluding itself)',
    String(T.n_neighbors),
  ),
  flag('training:nn-dist', 'string', 'distance between class mean features', T.nn_dist, NN_DISTS),
  flag('training:ptopt:optim-cls', 'string', 'optimiser, a class of torch.optim', T.optim_cls, OPTIMIZERS),
  flag(
    'training:ptopt:optim-params',
    'list',
    `optimiser parameters, key=value with PyTorch's names; its defaults: ${OPTIMIZERS.map(
      (name) =>
        `${name}(${Object.entries(OPTIMIZER_TABLE[name].params)
          .map(([key, spec]) => `${key}=${spec.default}`)
          .join(', ')})`,
    ).join('; ')}`,
    formatKeyValues(T.optim_params),
  ),
  flag(
    'training:ptopt:lr-sched-cls',
    'string',
    'LR scheduler, stepped once per epoch (`none` for a constant LR)',
    T.lr_sched_cls ?? 'none',
    [...LR_SCHEDULERS, 'none'],
  ),
  flag(
    'training:ptopt:lr-sched-params',
    'list',
    'scheduler parameters, key=value (step_size, gamma, milestones=[5,10], T_max, eta_min); the default applies to StepLR only',
    formatKeyValues(T.lr_sched_params),
  ),
  flag('training:train-epochs', 'integer', 'epochs to train', String(T.train_epochs)),
  flag('training:min-epochs', 'integer', 'first epoch eligible for selection', String(T.min_epochs)),
  flag('training:train-batch-size', 'integer', 'training batch size', String(T.train_batch_size)),
  flag(
    'training:eval-batch-size',
    'integer',
    'evaluation batch size (recorded; results do not depend on it)',
    String(T.eval_batch_size),
  ),
  flag(
    'training:sampler-builder:sampler-classes',
    'list',
    `samplers whose draws make an epoch (${SAMPLER_CLASSES.join(', ')})`,
    T.sampler_classes.join(' '),
  ),
  flag(
    'training:sampler-builder:sampler-args',
    'list',
    'sampler arguments, one key=value string per sampler or one for all ("" = none)',
    T.sampler_args.map((a) => `"${formatKeyValues(a)}"`).join(' '),
  ),
  flag('training:tb-logs', 'string', 'write TensorBoard event files of the run into this folder'),
  {
    ...QUEUE_FLAG,
    help: 'train on a distributed worker (alphanet worker) through this Redis instead of here: redis://[:PASSWORD@]HOST:6379, rediss:// for TLS',
  },
  flag('training:pred-scale', 'number', 'factor on every logit', String(T.pred_scale)),
  flag('training:train-datagrp', 'string', 'datagrp to train on', T.train_datagrp),
  flag(
    'training:val-datagrp',
    'string',
    'datagrp for per-epoch validation and selection ("" = none)',
    T.val_datagrp ?? '',
  ),
  flag('training:test-datagrp', 'string', 'datagrp evaluated with the selected state', T.test_datagrp),
  flag(
    'training:selection',
    'string',
    'which epoch is kept: best-val = best val accuracy among epochs ≥ min-epochs; min-epochs = always epoch min-epochs (what the original effectively does)',
    T.selection,
    SELECTION_RULES,
  ),
];

function keyValuesFlag(name: string, values: string[]): KeyValues {
  const merged: KeyValues = {};
  for (const v of values) {
    try {
      Object.assign(merged, parseKeyValues(v));
    } catch (error) {
      throw new UsageError(`--${name}: ${(error as Error).message}`);
    }
  }
  return merged;
}

/** The RunConfig the flags describe (defaults from src-shared/config.ts). */
export function configFromArgs(args: ParsedArgs, dataset: string): RunConfig {
  const c = defaultRunConfig(dataset);
  const t = c.training;
  const int = (name: string, fallback: number) => getNumber(args, `training:${name}`) ?? fallback;
  const hdims = getList(args, 'alphanet:hdims');
  if (hdims) {
    // Only text to numbers here; which sizes are allowed is validateRunConfig's rule (checked before training).
    c.alphanet.hdims = hdims.map((h) => {
      if (!isNumberText(h)) throw new UsageError(`--alphanet:hdims: '${h}' is not a number`);
      return Number(h);
    });
  }
  const hactName = getString(args, 'alphanet:hact') ?? c.alphanet.hact;
  const hact = canonicalActivation(hactName);
  if (hact === null) throw new UsageError(`--alphanet:hact: ${unknownActivationMessage(hactName)}`);
  c.alphanet.hact = hact;
  t.n_neighbors = int('n-neighbors', t.n_neighbors);
  t.nn_dist = (getString(args, 'training:nn-dist') ?? t.nn_dist) as NNDist;
  t.optim_cls = (getString(args, 'training:ptopt:optim-cls') ?? t.optim_cls) as OptimizerName;
  const optimParams = getList(args, 'training:ptopt:optim-params');
  if (optimParams) t.optim_params = keyValuesFlag('training:ptopt:optim-params', optimParams);
  const sched = getString(args, 'training:ptopt:lr-sched-cls');
  if (sched !== undefined) {
    t.lr_sched_cls = sched === 'none' ? null : (sched as LrSchedulerName);
    // StepLR's default parameters mean nothing to another scheduler.
    if (t.lr_sched_cls !== DEFAULT_TRAINING.lr_sched_cls) t.lr_sched_params = {};
  }
  const schedParams = getList(args, 'training:ptopt:lr-sched-params');
  if (schedParams) t.lr_sched_params = keyValuesFlag('training:ptopt:lr-sched-params', schedParams);
  t.train_epochs = int('train-epochs', t.train_epochs);
  t.min_epochs = int('min-epochs', t.min_epochs);
  t.train_batch_size = int('train-batch-size', t.train_batch_size);
  t.eval_batch_size = int('eval-batch-size', t.eval_batch_size);
  const samplers = getList(args, 'training:sampler-builder:sampler-classes');
  const samplerArgs = getList(args, 'training:sampler-builder:sampler-args');
  if (samplers) {
    t.sampler_classes = samplers;
    // The default args belong to the default samplers.
    if (!samplerArgs) t.sampler_args = [{}];
  }
  if (samplerArgs) {
    t.sampler_args = samplerArgs.map((a) => {
      try {
        return parseKeyValues(a);
      } catch (error) {
        throw new UsageError(`--training:sampler-builder:sampler-args: ${(error as Error).message}`);
      }
    });
  }
  t.pred_scale = getNumber(args, 'training:pred-scale') ?? t.pred_scale;
  t.train_datagrp = getString(args, 'training:train-datagrp') ?? t.train_datagrp;
  const val = getString(args, 'training:val-datagrp');
  if (val !== undefined) t.val_datagrp = val.trim() === '' ? null : val;
  t.test_datagrp = getString(args, 'training:test-datagrp') ?? t.test_datagrp;
  t.selection = (getString(args, 'training:selection') ?? t.selection) as SelectionRule;
  return c;
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(tmp, file);
}

export interface TrainAndReportOptions {
  seed: number;
  backend: BackendName;
  experiment?: string;
  ckptDir?: string;
  nCkpt?: number;
  ckptIntervalSeconds?: number;
  loadFromCkpt?: boolean;
  exactReference?: boolean;
  debug?: boolean;
  cacheRoot?: string | null;
}

/**
 * Trains and records one run (into the store `args` points at), printing per-epoch lines (a progress bar
 * on a terminal) and, at the end, the Few/Med./Many/Overall table of the baseline and this run.
 */
export async function trainAndReport(
  args: ParsedArgs,
  io: CliIO,
  ds: LoadedDataset,
  config: RunConfig,
  opts: TrainAndReportOptions,
): Promise<RunResult> {
  const epochs = config.training.train_epochs;
  const started = performance.now();
  const { db, store } = openStoreArg(args, io);
  try {
    const { runId, result } = await recordedTrainRun(store, ds, config, {
      ...opts,
      // One run per process: nothing reads the train scores after its epochs.
      lone: true,
      onStart: (id) => io.out(`recording as run ${id}`),
      onPhase: phasePrinter(io),
      onProgress: (p) => showProgress(io, p, epochs),
      onEpoch: (rec) => showEpoch(io, rec, epochs),
    });
    await report(io, ds, config, result, { runId, started, backend: opts.backend, cacheRoot: opts.cacheRoot });
    return result;
  } finally {
    db.close();
  }
}

function showProgress(
  io: CliIO,
  p: { epoch: number; batch: number; nBatches: number; loss: number; etaSeconds: number | null },
  epochs: number,
): void {
  if (io.isTTY)
    process.stderr.write(`\r${progressLine({ ...p, epochs, etaSeconds: p.etaSeconds ?? Number.NaN })}\x1b[K`);
}

function showEpoch(io: CliIO, rec: EpochRecord, epochs: number): void {
  if (io.isTTY) process.stderr.write('\r\x1b[K');
  io.out(epochLine(rec, epochs));
}

/** The kept epoch, then the Few/Med./Many/Overall table of the baseline and the run. */
async function report(
  io: CliIO,
  ds: LoadedDataset,
  config: RunConfig,
  result: RunResult,
  opts: { runId: number; started: number; backend?: BackendName; cacheRoot?: string | null },
): Promise<void> {
  const kept = config.training.val_datagrp === null ? 'last epoch, no val set' : `selection ${result.selection}`;
  io.out(
    `kept epoch ${result.best_epoch} (${kept}); ${((performance.now() - opts.started) / 1000).toFixed(1)}s; run ${opts.runId}`,
  );
  const test = config.training.test_datagrp;
  const baseline = await baselineRun(ds, {
    datagrps: [test],
    backend: opts.backend,
    testDatagrp: test,
    valDatagrp: null,
    cacheRoot: opts.cacheRoot,
    onPhase: phasePrinter(io),
  });
  io.out(`\nTest accuracy (%) on '${test}':`);
  io.out(
    splitTable([
      { name: 'Baseline', metrics: baseline.result.test },
      { name: 'AlphaNet', metrics: result.test },
    ]),
  );
}

/**
 * Queues one run for distributed workers (this process coordinates it: it records what the worker
 * sends into the store `args` points at), shows its epochs as they arrive, then the table.
 */
async function trainOnQueue(
  args: ParsedArgs,
  io: CliIO,
  ds: LoadedDataset,
  config: RunConfig,
  opts: { redisUrl: string; seed: number; experiment?: string; nCkpt: number; cacheRoot?: string | null },
): Promise<RunResult> {
  const started = performance.now();
  const epochs = config.training.train_epochs;
  const queue = new DistributedRunQueue({
    dbFile: dbFileOf(args, io),
    redisUrl: opts.redisUrl,
    cwd: io.cwd,
    nCkpt: opts.nCkpt,
    log: (line) => io.err(line),
  });
  try {
    const runId = queue.enqueue({
      config,
      seed: opts.seed,
      experiment: opts.experiment,
      datasetConfig: ds.spec.configFile ?? undefined,
    });
    const settled = new Promise<RunRow>((resolve) => {
      queue.on('status', (e) => {
        if (e.runId !== runId) return;
        const run = queue.store.requireRun(runId);
        if (e.status === 'running') io.out(`run ${runId}: training on worker ${run.worker ?? '?'}`);
        else if (e.status !== 'queued') resolve(run);
      });
    });
    queue.on('progress', (p) => p.runId === runId && showProgress(io, p, epochs));
    queue.on('epoch', (e) => {
      const rec = e.runId === runId ? queue.store.getEpochs(runId).find((r) => r.epoch === e.epoch) : undefined;
      if (rec) showEpoch(io, rec, epochs);
    });
    queue.start();
    io.out(
      `queued as run ${runId} on ${queue.redis}, waiting for a worker (Ctrl+C leaves it queued: \`alphanet serve --queue …\` on this database records it)`,
    );
    const run = await settled;
    if (run.status !== 'done') throw new UserError(`run ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    const result = queue.store.exportRun(runId);
    await report(io, ds, config, result, { runId, started, cacheRoot: opts.cacheRoot });
    return result;
  } finally {
    await queue.close();
  }
}

export const command: Command = {
  spec: {
    name: 'train',
    summary:
      "Train AlphaNet on a dataset: the few classes' classifiers become learned combinations of their nearest base classes. The run is recorded in the workbench database.",
    usage: 'alphanet train --dataset KEY [options]',
    flags: TRAIN_FLAGS,
  },
  async run(args, io: CliIO) {
    const seed = parseSeed(getString(args, 'seed')) ?? randomInt(0, 2 ** 31);
    const backend = await initBackend(backendOf(args));
    const config = configFromArgs(args, requireString(args, 'dataset'));
    if (getBoolean(args, 'alphanet:dummy-mode') === true) {
      // The original's dummy mode has nothing to train (its loss has no gradient): it is the baseline.
      const { val_datagrp, test_datagrp } = config.training;
      const datagrps = [...(val_datagrp === null ? [] : [val_datagrp]), test_datagrp];
      await baselineAndReport(args, io, await loadDatasetArg(args, io, datagrps), datagrps);
      return 0;
    }
    const tbLogs = getString(args, 'training:tb-logs');
    if (tbLogs !== undefined) config.training.tb_logs = path.resolve(io.cwd, tbLogs);
    const { train_datagrp, val_datagrp, test_datagrp } = config.training;
    const ds = await loadDatasetArg(args, io, [
      train_datagrp,
      test_datagrp,
      ...(val_datagrp === null ? [] : [val_datagrp]),
    ]);
    try {
      validateRun(ds, config);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    io.out(`backend: ${backend}\nseed: ${seed}`);
    const ckptFlag = getString(args, 'ckpt-dir');
    const redisUrl = queueArg(args);
    if (redisUrl && (ckptFlag !== undefined || getBoolean(args, 'exact-reference'))) {
      throw new UsageError(
        '--ckpt-dir and --exact-reference apply to training here, not with --queue (the coordinator keeps the checkpoints)',
      );
    }
    const result = redisUrl
      ? await trainOnQueue(args, io, ds, config, {
          redisUrl,
          seed,
          experiment: getString(args, 'experiment'),
          nCkpt: getNumber(args, 'n-ckpt') ?? 2,
          cacheRoot: cacheRootOf(args, io),
        })
      : await trainAndReport(args, io, ds, config, {
          seed,
          backend,
          experiment: getString(args, 'experiment'),
          ckptDir: ckptFlag === undefined ? undefined : path.resolve(io.cwd, ckptFlag),
          nCkpt: getNumber(args, 'n-ckpt') ?? 2,
          // The run's own folder (deleted when it finishes) only needs to bound the work a resume redoes;
          // a --ckpt-dir gets one per epoch, as the original writes them.
          ckptIntervalSeconds: ckptFlag === undefined ? OWN_CKPT_INTERVAL_S : 0,
          loadFromCkpt: getBoolean(args, 'load-from-ckpt'),
          exactReference: getBoolean(args, 'exact-reference') === true,
          debug: getBoolean(args, 'alphanet:debug') === true,
          cacheRoot: cacheRootOf(args, io),
        });
    const saveFile = getString(args, 'save-file');
    if (saveFile !== undefined) {
      writeJson(path.resolve(io.cwd, saveFile), result);
      io.out(`saved ${saveFile}`);
    }
    return 0;
  },
};
