/**
 * The engine's entry points: `trainRun` (AlphaNet training, spec §4) and `baselineRun` (the pretrained
 * classifier, dummy mode). Knows nothing of the store or the UI: progress goes out through callbacks.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { RunConfig } from '../../src-shared/config.ts';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset, SplitName } from '../../src-shared/dataset.ts';
import type { PhaseProgress } from '../../src-shared/progress.ts';
import type { AlphaEntry, EpochRecord, EvalResult, RunResult, SavedNetwork } from '../../src-shared/result.ts';
import { Rng } from '../../src-shared/rng.ts';
import { datasetFacts, validateForDataset, validateRunConfig } from '../../src-shared/run-config-validation.ts';
import { UserError } from '../errors.ts';
import { appVersion } from '../paths.ts';
import { computeName } from './native-kernels.ts';
import { initBackend, type BackendName } from './backend.ts';
import { latestCheckpoint, listCheckpoints, saveCheckpoint, type Checkpoint } from './checkpoint.ts';
import { evaluateLogits, evaluateScores, neighborBounds, type Evaluation } from './evaluate.ts';
import {
  AlphaTrainer,
  buildProblem,
  exactLogits,
  fastLogits,
  initNetwork,
  layerShapes,
  type AlphaProblem,
  type Batch,
  type NetworkSpec,
} from './model.ts';
import { ScoreGemm, scoreThreads } from './score-pool.ts';
import { loadNeighbors, type NeighborTable } from './neighbors.ts';
import { cachedScoreRows, datagrpMeans, datagrpScores, forgetScores } from './scores.ts';
import {
  initOptimizerState,
  lrAt,
  parseOptimizer,
  parseScheduler,
  type OptimizerSettings,
  type OptimizerState,
} from './optim.ts';
import { buildSamplingIndex, drawEpoch, makeSamplers } from './samplers.ts';

export interface RunOutcome {
  result: RunResult;
  /** n_test × 5 best classes per test sample of the selected state, best first (not in the JSON). */
  testTop5: Int32Array;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  nBatches: number;
  loss: number;
}

export interface TrainOptions {
  seed: number;
  backend?: BackendName;
  ckptDir?: string | null;
  nCkpt?: number;
  /**
   * Write a checkpoint after the first epoch and then only once this many seconds have passed since
   * the last one (default 0: every epoch). A checkpoint holds the whole history, so at hundreds of ms
   * per epoch writing one every epoch was a tenth of the run; resuming redoes at most this much work.
   */
  ckptIntervalSeconds?: number;
  loadFromCkpt?: boolean;
  signal?: AbortSignal;
  /** Where neighbour tables, pretrained scores and class means are cached; default the app cache, null = memory only. */
  cacheRoot?: string | null;
  /**
   * The straightforward computation, kept as the reference: every batch's scores from its features
   * (X_b·Wᵀ) and every evaluation as X·Ŵᵀ + b with the trained weight rows, instead of the pretrained
   * scores. Same results up to float rounding; needs the features; far slower at scale.
   */
  exactReference?: boolean;
  /**
   * The original's `--alphanet:debug`: after every epoch, check the computation against itself — the
   * logits of the pretrained-scores path against X·Ŵᵀ + b from the features (up to DEBUG_ROWS rows of
   * the val datagrp, else train) and α finite — and fail the run on a mismatch.
   */
  debug?: boolean;
  onBatch?(p: BatchProgress): void;
  onEpoch?(rec: EpochRecord): void | Promise<void>;
  /** Slow work outside the epochs' batches as it goes: pretrained scores and class means when not cached. */
  onPhase?(p: PhaseProgress): void;
  /**
   * Threads for the network's first-layer products (FirstLayer): 2 starts a helper thread and trains on
   * it from the first step; 1 keeps everything in this thread. Default: 2 on a single-threaded backend
   * with ≥ 2 cores (ALPHANET_SCORE_THREADS) when the layer is big, the helper joining once it has
   * started. The result is the same either way.
   */
  networkThreads?: 1 | 2;
  /**
   * Nothing else in this process reads the train datagrp's scores (a lone `alphanet train`): when they
   * are in the disk cache the batches read their rows from it (cachedScoreRows) instead of loading them
   * all; when computed here they leave memory once the epochs are done and the final evaluation reads
   * the test datagrp's cached scores into their memory, so the two are never held together (at
   * ImageNet-LT scale 463 and 200 MB). Default false: the runs of a sweep share them.
   */
  lone?: boolean;
  /** Something the user should know that does not stop the run (ignored checkpoints); default console.warn. */
  onWarning?(message: string): void;
}

/** First-layer flops per step (4·F·(k+1)d·h1) from which a helper thread pays for itself. */
const MIN_HELPER_FLOPS = 2e7;

/** A run config the engine cannot run on this dataset (the CLI reports it as a usage error). */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}

/**
 * Every check a run's config must pass on `ds` before any work: the rules of src-shared (the same the
 * form and the API apply) against this dataset's facts, then the optimiser, scheduler and samplers as
 * the run will build them. Throws ConfigError naming each field.
 */
export function validateRun(ds: LoadedDataset, config: RunConfig): void {
  const errors = [
    ...validateRunConfig(config),
    ...validateForDataset(config, datasetFacts(ds.spec.key, ds.splits, Object.keys(ds.datagrps))),
  ];
  if (errors.length > 0) throw new ConfigError(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  try {
    const t = config.training;
    parseOptimizer(t.optim_cls, t.optim_params);
    parseScheduler(t.lr_sched_cls, t.lr_sched_params);
    makeSamplers(
      t.sampler_classes,
      t.sampler_args,
      buildSamplingIndex(datagrpOf(ds, t.train_datagrp).labels, ds.splitOf),
    );
  } catch (error) {
    if (error instanceof UserError && !(error instanceof ConfigError)) throw new ConfigError(error.message);
    throw error;
  }
}

/** Thrown when `signal` aborts a run (between batches); checkpoints already written stay. */
export class RunAbortedError extends Error {
  override name = 'AbortError';
}

function datagrpOf(ds: LoadedDataset, name: string) {
  const grp = ds.datagrps[name];
  if (!grp) {
    throw new UserError(
      `dataset '${ds.spec.key}' has no datagrp '${name}' (it has ${Object.keys(ds.datagrps).join(', ')})`,
    );
  }
  return grp;
}

function alphaStats(
  tilde: Float32Array,
  F: number,
  k: number,
): Pick<EpochRecord, 'alpha_mean' | 'alpha_min' | 'alpha_max'> {
  const mean = [1];
  const min = [1];
  const max = [1];
  for (let j = 0; j < k; j++) {
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < F; i++) {
      const v = tilde[i * k + j];
      s += v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    mean.push(s / F);
    min.push(lo);
    max.push(hi);
  }
  return { alpha_mean: mean, alpha_min: min, alpha_max: max };
}

function alphaEntries(problem: AlphaProblem, tilde: Float32Array | null): Record<string, AlphaEntry> {
  const out: Record<string, AlphaEntry> = {};
  problem.few.forEach((c, i) => {
    const rest = Array.from({ length: problem.k }, (_, j) => (tilde ? tilde[i * problem.k + j] : 0));
    out[String(c)] = { neighbors: [...problem.neighbors[i]], alpha: [1, ...rest] };
  });
  return out;
}

export function savedNetwork(problem: AlphaProblem, config: RunConfig, params: readonly Float32Array[]): SavedNetwork {
  return {
    format: 'alphanet-network',
    version: 1,
    dim: problem.dim,
    n_neighbors: problem.k,
    nn_dist: config.training.nn_dist,
    hdims: [...config.alphanet.hdims],
    hact: config.alphanet.hact,
    few: [...problem.few],
    neighbors: problem.neighbors.map((r) => [...r]),
    params: params.map((p) => Array.from(p)),
  };
}

/** A checkpoint's owner: the data by content (so a checkpoint moves between machines), config and seed. */
function runKey(ds: LoadedDataset, config: RunConfig, seed: number): string {
  const { tb_logs: _ignored, ...training } = config.training;
  return createHash('sha256')
    .update(JSON.stringify({ fp: ds.contentFingerprint, alphanet: config.alphanet, training, seed }))
    .digest('hex')
    .slice(0, 32);
}

function clone(params: readonly Float32Array[]): Float32Array[] {
  return params.map((p) => Float32Array.from(p));
}

/**
 * One training step: the batch's loss and gradients at `params`, then one optimiser update of `params`
 * in place at `lr`. Returns the loss (before the update). `trainRun` and `replayTraining` both train
 * through it.
 */
export function trainStep(
  trainer: AlphaTrainer,
  optim: OptimizerSettings,
  optState: OptimizerState,
  params: Float32Array[],
  batch: Batch,
  lr: number,
): number {
  return trainer.train(params, batch, optim, optState, lr);
}

/** Rows the debug check recomputes from the features each epoch. */
export const DEBUG_ROWS = 256;

/** The check of TrainOptions.debug; throws an Error (a bug, not the user's input) on a mismatch. */
export async function debugCheck(
  ds: LoadedDataset,
  problem: AlphaProblem,
  tilde: Float32Array,
  datagrp: string,
  predScale: number,
  cacheRoot: TrainOptions['cacheRoot'],
): Promise<void> {
  if (!tilde.every(Number.isFinite)) throw new Error('debug: a coefficient α is not finite');
  const grp = datagrpOf(ds, datagrp);
  const n = Math.min(grp.n, DEBUG_ROWS);
  const C = ds.nClasses;
  const exact = await exactLogits(problem, tilde, grp.feats.subarray(0, n * ds.dim), n, predScale);
  const scores = await datagrpScores(ds, datagrp, cacheRoot);
  const row = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    fastLogits(problem, tilde, scores, i, predScale, row);
    for (let c = 0; c < C; c++) {
      const want = exact[i * C + c];
      if (!(Math.abs(row[c] - want) <= 1e-4 * Math.max(1, Math.abs(want)))) {
        throw new Error(
          `debug: logit of class ${c} for ${datagrp} row ${i} is ${row[c]} from the pretrained scores but ${want} from the features`,
        );
      }
    }
  }
}

/** A gathered copy of `rows` (duplicates kept) of a row-major matrix `width` wide (into `into` if given). */
export function gatherRows(
  matrix: Float32Array,
  width: number,
  rows: readonly number[],
  into?: Float32Array,
): Float32Array {
  const out = into ? into.subarray(0, rows.length * width) : new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(matrix.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

export async function trainRun(ds: LoadedDataset, config: RunConfig, opts: TrainOptions): Promise<RunOutcome> {
  const backend = await initBackend(opts.backend);
  validateRun(ds, config);
  const t = config.training;
  const seed = opts.seed;
  const optim = parseOptimizer(t.optim_cls, t.optim_params);
  const sched = parseScheduler(t.lr_sched_cls, t.lr_sched_params);
  const train = datagrpOf(ds, t.train_datagrp);
  const exact = opts.exactReference === true;
  const samplers = makeSamplers(t.sampler_classes, t.sampler_args, buildSamplingIndex(train.labels, ds.splitOf));
  // Before the neighbours: a cold run then reads the training features once, for scores and class means.
  const trainRows = !exact && opts.lone ? cachedScoreRows(ds, t.train_datagrp, opts.cacheRoot) : null;
  let trainScores =
    exact || trainRows
      ? null
      : await datagrpScores(ds, t.train_datagrp, opts.cacheRoot, { alsoMeans: true, onPhase: opts.onPhase });
  const table: NeighborTable = loadNeighbors(ds, t.n_neighbors, t.nn_dist, seed, {
    trainDatagrp: t.train_datagrp,
    cacheRoot: opts.cacheRoot,
    meansOf: () => datagrpMeans(ds, t.train_datagrp, opts.cacheRoot),
  });
  const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
  const spec: NetworkSpec = {
    inDim: (t.n_neighbors + 1) * ds.dim,
    hdims: config.alphanet.hdims,
    outDim: t.n_neighbors,
    act: config.alphanet.hact,
  };
  const C = ds.nClasses;
  const F = problem.few.length;
  const key = runKey(ds, config, seed);

  let params = initNetwork(spec, Rng.fromSeed(seed, 'init'));
  let optState = initOptimizerState(optim, params);
  let rng = Rng.fromSeed(seed, 'train');
  let history: EpochRecord[] = [];
  let best: Checkpoint['best'] = null;
  const ckptDir = opts.ckptDir ?? null;
  if (ckptDir !== null) {
    if (opts.loadFromCkpt === false) {
      for (const old of listCheckpoints(ckptDir, key)) fs.rmSync(old.file, { force: true });
    } else {
      const ckpt = latestCheckpoint(ckptDir, key, opts.onWarning);
      if (ckpt) {
        params = ckpt.params;
        optState = ckpt.optimizer;
        rng = Rng.fromState(ckpt.rng);
        history = ckpt.history;
        best = ckpt.best;
      }
    }
  }
  const shapes = layerShapes(spec);
  if (params.length !== shapes.length * 2) throw new UserError('checkpoint does not fit the network shape');

  const val = t.val_datagrp === null ? null : datagrpOf(ds, t.val_datagrp);
  // The reference path holds each datagrp's features it touches for the run (a lazy dataset reads them once).
  const featsHeld = new Map<string, Float32Array>();
  const featsOf = (name: string): Float32Array => {
    let f = featsHeld.get(name);
    if (!f) featsHeld.set(name, (f = datagrpOf(ds, name).feats));
    return f;
  };
  const batchGemm = exact ? new ScoreGemm(ds.classifier.weight, ds.dim, C) : null;
  // Every batch's scores in one buffer: a fresh 256 KB a step costs page faults on this VM.
  const batchBuffer = new Float32Array(t.train_batch_size * C);
  const batchScores = (rows: number[]): Float32Array => {
    if (trainRows) return trainRows.gather(rows, batchBuffer);
    if (trainScores) return gatherRows(trainScores, C, rows, batchBuffer);
    const feats = featsOf(t.train_datagrp);
    const x = gatherRows(feats, ds.dim, rows);
    const out = new Float32Array(rows.length * C);
    batchGemm?.multiply(x, rows.length, out);
    return out;
  };
  // The val datagrp is evaluated every epoch: its neighbour bounds (evaluate.ts) are worked out once.
  const bounds = new Map<string, Float32Array>();
  const evaluateOn = async (
    name: string,
    tilde: Float32Array,
    storage: Float32Array | null = null,
  ): Promise<Evaluation> => {
    const grp = datagrpOf(ds, name);
    if (exact)
      return evaluateLogits(
        await exactLogits(problem, tilde, featsOf(name), grp.n, t.pred_scale),
        grp.labels,
        C,
        ds.splitOf,
      );
    const scores = await datagrpScores(ds, name, opts.cacheRoot, { onPhase: opts.onPhase, storage });
    let b = bounds.get(name) ?? null;
    if (b === null && name === t.val_datagrp) bounds.set(name, (b = neighborBounds(problem, scores, grp.n)));
    return evaluateScores(problem, tilde, scores, grp.labels, ds.splitOf, t.pred_scale, b);
  };
  const trainer = new AlphaTrainer(problem, spec, t.pred_scale);
  trainer.attach(params, optState, optim);
  const singleThreaded = backend === 'wasm' || backend === 'cpu';
  if (opts.networkThreads === 2 && singleThreaded) await trainer.useHelperThread(backend);
  else if (
    opts.networkThreads === undefined &&
    singleThreaded &&
    scoreThreads() >= 2 &&
    4 * F * spec.inDim * shapes[0].outDim >= MIN_HELPER_FLOPS
  ) {
    void trainer.useHelperThread(backend);
  }
  let lastCkpt = Number.NEGATIVE_INFINITY;
  try {
    for (let epoch = history.length + 1; epoch <= t.train_epochs; epoch++) {
      const started = performance.now();
      const lr = lrAt(sched, optim.lr, epoch - 1);
      const order = drawEpoch(samplers, rng);
      const perSplit: Record<SplitName, number> = { many: 0, medium: 0, few: 0 };
      for (const i of order) perSplit[ds.splitOf[train.labels[i]]]++;
      const nBatches = Math.ceil(order.length / t.train_batch_size);
      const losses: number[] = [];
      for (let b = 0; b < nBatches; b++) {
        if (opts.signal?.aborted) throw new RunAbortedError(`training cancelled in epoch ${epoch}`);
        const rows = order.slice(b * t.train_batch_size, (b + 1) * t.train_batch_size);
        const batch = { scores: batchScores(rows), labels: Int32Array.from(rows, (r) => train.labels[r]), rows };
        const loss = trainStep(trainer, optim, optState, params, batch, lr);
        losses.push(loss);
        opts.onBatch?.({ epoch, batch: b + 1, nBatches, loss });
      }
      const tilde = trainer.alphas(params);
      if (opts.debug)
        await debugCheck(ds, problem, tilde, t.val_datagrp ?? t.train_datagrp, t.pred_scale, opts.cacheRoot);
      let valEval: Evaluation | null = null;
      if (t.val_datagrp !== null) valEval = await evaluateOn(t.val_datagrp, tilde);
      const rec: EpochRecord = {
        epoch,
        lr,
        mean_loss: losses.length > 0 ? losses.reduce((a, x) => a + x, 0) / losses.length : Number.NaN,
        batch_losses: losses,
        ...alphaStats(tilde, F, problem.k),
        n_train_per_split: perSplit,
        val: valEval && {
          accuracy: valEval.result.accuracy,
          top5: valEval.result.top5,
          f1: valEval.result.f1,
          per_split: valEval.result.per_split,
        },
        val_per_class: valEval ? valEval.result.per_class : null,
        wall_time: (performance.now() - started) / 1000,
      };
      history.push(rec);
      if (valEval && epoch >= t.min_epochs) {
        const acc = valEval.result.accuracy;
        const take = t.selection === 'min-epochs' ? epoch === t.min_epochs : best === null || acc > best.valAccuracy;
        if (take) best = { epoch, params: clone(params), valAccuracy: acc };
      }
      if (ckptDir !== null && performance.now() - lastCkpt >= 1000 * (opts.ckptIntervalSeconds ?? 0)) {
        lastCkpt = performance.now();
        saveCheckpoint(
          ckptDir,
          { runKey: key, epoch, params, optimizer: optState, rng: rng.state(), history, best },
          opts.nCkpt ?? 2,
        );
      }
      await opts.onEpoch?.(rec);
    }

    featsHeld.delete(t.train_datagrp);
    // A lone run is done with its train scores: the test scores are read into their memory.
    let spare: Float32Array | null = null;
    if (opts.lone && trainScores) {
      spare = trainScores;
      trainScores = null;
      forgetScores(ds, t.train_datagrp);
    }
    // With val: the selected epoch; without: the last.
    const selected = val && best ? best : { epoch: t.train_epochs, params };
    const tilde = trainer.alphas(selected.params);
    const testEval = await evaluateOn(t.test_datagrp, tilde, spare);
    const valFinal = t.val_datagrp !== null ? (await evaluateOn(t.val_datagrp, tilde)).result : null;
    const evals: Record<string, EvalResult> = { [t.test_datagrp]: testEval.result };
    if (valFinal && t.val_datagrp !== null) evals[t.val_datagrp] = valFinal;
    const result: RunResult = {
      kind: 'train',
      dataset: ds.spec.key,
      config,
      seed,
      backend: computeName(backend),
      app_version: appVersion(),
      selection: t.selection,
      epochs: history,
      best_epoch: selected.epoch,
      val: valFinal,
      test: testEval.result,
      alphas: alphaEntries(problem, tilde),
      evals,
      network: savedNetwork(problem, config, selected.params),
    };
    return { result, testTop5: toTop5(testEval) };
  } finally {
    trainer.dispose();
    batchGemm?.dispose();
    trainRows?.close();
  }
}

/** Pads to 5 columns (−1) when C < 5, so the store always gets n × 5. */
function toTop5(ev: Evaluation): Int32Array {
  if (ev.width === 5) return ev.top;
  const n = ev.top.length / ev.width;
  const out = new Int32Array(n * 5).fill(-1);
  for (let i = 0; i < n; i++) out.set(ev.top.subarray(i * ev.width, (i + 1) * ev.width), i * 5);
  return out;
}

export interface BaselineOptions {
  datagrps?: string[];
  backend?: BackendName;
  /** Test datagrp (its top-5 are returned); default 'test' when present, else the last evaluated. */
  testDatagrp?: string;
  valDatagrp?: string | null;
  /** Where pretrained scores are cached; default the app cache, null = memory only. */
  cacheRoot?: string | null;
  onPhase?(p: PhaseProgress): void;
}

/** The pretrained classifier (dummy mode, α = [1, 0, …, 0]) evaluated on every datagrp. */
export async function baselineRun(ds: LoadedDataset, opts: BaselineOptions = {}): Promise<RunOutcome> {
  const backend = await initBackend(opts.backend);
  const names = opts.datagrps ?? Object.keys(ds.datagrps);
  if (names.length === 0) throw new UserError(`dataset '${ds.spec.key}' has no datagrps to evaluate`);
  const problem: AlphaProblem = {
    nClasses: ds.nClasses,
    dim: ds.dim,
    k: 0,
    few: [],
    neighbors: [],
    weight: ds.classifier.weight,
    bias: ds.classifier.bias,
    sources: new Float32Array(0),
  };
  const evaluations: Record<string, Evaluation> = {};
  for (const name of names) {
    const grp = datagrpOf(ds, name);
    evaluations[name] = evaluateScores(
      problem,
      null,
      await datagrpScores(ds, name, opts.cacheRoot, { onPhase: opts.onPhase }),
      grp.labels,
      ds.splitOf,
      1,
    );
  }
  const testName = opts.testDatagrp ?? (names.includes('test') ? 'test' : names[names.length - 1]);
  const valName = opts.valDatagrp === undefined ? (names.includes('val') ? 'val' : null) : opts.valDatagrp;
  const testEval = evaluations[testName];
  if (!testEval) throw new UserError(`baseline: datagrp '${testName}' was not evaluated`);
  const config = defaultRunConfig(ds.spec.key);
  const result: RunResult = {
    kind: 'baseline',
    dataset: ds.spec.key,
    config,
    seed: 0,
    backend: computeName(backend),
    app_version: appVersion(),
    selection: config.training.selection,
    epochs: [],
    best_epoch: null,
    val: valName !== null && evaluations[valName] ? evaluations[valName].result : null,
    test: testEval.result,
    alphas: {},
    evals: Object.fromEntries(Object.entries(evaluations).map(([k, v]) => [k, v.result])),
    network: null,
  };
  return { result, testTop5: toTop5(testEval) };
}
