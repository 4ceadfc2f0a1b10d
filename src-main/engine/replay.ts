/**
 * Replays a training run recorded from the original code (`alphanet-training-replay/1`: its initial
 * state dict, every batch as `[feature file, row]`, the optimiser and scheduler read from the live
 * objects) through our own training step, so the two implementations can be compared step by step
 * without sharing a random number generator. Only the draws are taken from the recording; the network,
 * loss, gradients, optimiser and LR schedule are the engine's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatKeyValues, NN_DISTS, type Activation, type KeyValues, type NNDist } from '../../src-shared/config.ts';
import { canonicalActivation, unknownActivationMessage } from '../../src-shared/activations.ts';
import {
  IMPLEMENTATION_SWITCHES,
  isOptimizer,
  OPTIMIZER_TABLE,
  type OptimizerName,
} from '../../src-shared/optimizers.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { SavedNetwork } from '../../src-shared/result.ts';
import { FileFormatError, UserError } from '../errors.ts';
import { toFloat32 } from '../formats/convert.ts';
import { isTensor, PyDict } from '../formats/pyvalue.ts';
import { readPythonFile } from '../formats/read.ts';
import { initBackend, type BackendName } from './backend.ts';
import { AlphaTrainer, buildProblem, type NetworkSpec } from './model.ts';
import type { NeighborTable } from './neighbors.ts';
import { networkFromStateDict, type StateTensor } from './network.ts';
import { initOptimizerState, lrAt, parseOptimizer, parseScheduler } from './optim.ts';
import { gatherRows, trainStep } from './run.ts';
import { datagrpScores, type CacheRoot } from './scores.ts';

export const REPLAY_FORMAT = 'alphanet-training-replay/1';

/** What the replay needs of `replay.json` (the rest is documentation of the recording). */
export interface ReplayRecord {
  datasetKey: string;
  trainFiles: { file: string; nRows: number }[];
  fclassOrder: number[];
  bclassOrder: number[];
  neighbors: Record<string, number[]>;
  nnDist: NNDist;
  hdims: number[];
  hact: Activation;
  dummyMode: boolean;
  predScale: number;
  stateDictKeys: string[];
  /** Our optimiser name and its parameters in PyTorch's names, from the live param group. */
  optimizer: { name: string; params: KeyValues };
  scheduler: { name: string | null; params: KeyValues };
  steps: { step: number; epoch: number; lr: number; samples: [string, number][]; labels: number[] }[];
  epochs: { epoch: number; lastStep: number; stateDictFile: string | null }[];
}

/** The replay's output: the losses of every step, state dicts and α after epochs, keyed as the original keys them. */
export interface ReplayOutput {
  losses: number[];
  /** Epoch → state-dict key → flat float32 values; for every epoch the recording saved a state dict of. */
  epochs: Record<string, Record<string, number[]>>;
  /** Epoch → few class id → [1, ã_1, …, ã_k]; for every epoch. */
  alphas: Record<string, Record<string, number[]>>;
}

type Json = Record<string, unknown>;

function reader(file: string) {
  const fail = (what: string): never => {
    throw new FileFormatError(file, what);
  };
  const obj = (v: unknown, what: string): Json =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(`'${what}' is not an object`);
  const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`'${what}' is not a list`));
  const num = (v: unknown, what: string): number =>
    typeof v === 'number' && Number.isFinite(v) ? v : fail(`'${what}' is not a number`);
  const int = (v: unknown, what: string): number =>
    Number.isInteger(v) ? (v as number) : fail(`'${what}' is not a whole number`);
  const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`'${what}' is not a string`));
  const ints = (v: unknown, what: string): number[] => arr(v, what).map((x, i) => int(x, `${what}[${i}]`));
  return { fail, obj, arr, num, int, str, ints };
}

/** `torch.optim.adamw.AdamW` → `AdamW`; `torch.optim.lr_scheduler.StepLR` → `StepLR`. */
function className(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf('.') + 1);
}

/** A live value from the recording as our key=value text (tuples as `(a,b)`). */
function asParamText(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return `(${value.join(',')})`;
  return null;
}

/** Checks and reads `replay.json` (already parsed); errors name the file and the field. */
export function parseReplay(value: unknown, file: string): ReplayRecord {
  const r = reader(file);
  const root = r.obj(value, 'top level');
  if (root.format !== REPLAY_FORMAT) r.fail(`format is ${JSON.stringify(root.format)}, expected '${REPLAY_FORMAT}'`);
  const data = r.obj(root.data, 'data');
  const trainFiles = r.arr(data.train_files_in_original_order, 'data.train_files_in_original_order').map((f, i) => {
    const entry = r.obj(f, `data.train_files_in_original_order[${i}]`);
    return {
      file: r.str(entry.file, `data.train_files_in_original_order[${i}].file`),
      nRows: r.int(entry.n_rows, `data.train_files_in_original_order[${i}].n_rows`),
    };
  });
  const model = r.obj(root.model, 'model');
  const hactName = r.str(model.hact, 'model.hact');
  const hact = canonicalActivation(hactName) ?? r.fail(`model.hact: ${unknownActivationMessage(hactName)}`);
  const nnDist = r.str(root.nn_dist, 'nn_dist');
  if (!(NN_DISTS as readonly string[]).includes(nnDist))
    r.fail(`nn_dist '${nnDist}' is not one of ${NN_DISTS.join(', ')}`);
  const neighborsJson = r.obj(root.nn_classes_per_fclass, 'nn_classes_per_fclass');
  const neighbors = Object.fromEntries(
    Object.entries(neighborsJson).map(([c, row]) => [c, r.ints(row, `nn_classes_per_fclass.${c}`)]),
  );

  const optimizer = r.obj(root.optimizer, 'optimizer');
  const optimName = className(r.str(optimizer.class, 'optimizer.class'));
  if (!isOptimizer(optimName)) r.fail(`optimizer ${optimName} is not one we implement`);
  const group = r.obj(optimizer.param_group_at_first_step, 'optimizer.param_group_at_first_step');
  const optimParams: KeyValues = {};
  const known = OPTIMIZER_TABLE[optimName as OptimizerName].params;
  for (const [key, value] of Object.entries(group)) {
    if (key in known) {
      const text = asParamText(value);
      if (text !== null) optimParams[key] = text;
    } else if (
      !(IMPLEMENTATION_SWITCHES as readonly string[]).includes(key) &&
      key !== 'initial_lr' &&
      value !== null &&
      value !== false
    ) {
      // A setting that changes the update (a newer PyTorch's option, say) must not be dropped silently.
      r.fail(
        `optimizer.param_group_at_first_step.${key} = ${JSON.stringify(value)} is not a parameter of ${optimName} we implement`,
      );
    }
  }

  const scheduler = root.scheduler === null || root.scheduler === undefined ? null : r.obj(root.scheduler, 'scheduler');
  const schedParams: KeyValues = {};
  if (scheduler) {
    const state = r.obj(scheduler.state_at_creation, 'scheduler.state_at_creation');
    for (const [key, v] of Object.entries(state)) {
      // Only the constructor's arguments; torch's bookkeeping (base_lrs, last_epoch, …) starts with it.
      if (['base_lrs', 'last_epoch', 'verbose', '_step_count', '_get_lr_called_within_step', '_last_lr'].includes(key))
        continue;
      const text = Array.isArray(v) && key === 'milestones' ? `[${v.join(',')}]` : asParamText(v);
      if (text !== null) schedParams[key] = text;
    }
  }

  const steps = r.arr(root.steps, 'steps').map((s, i) => {
    const step = r.obj(s, `steps[${i}]`);
    const samples = r.arr(step.samples, `steps[${i}].samples`).map((pair, j): [string, number] => {
      const p = r.arr(pair, `steps[${i}].samples[${j}]`);
      return [r.str(p[0], `steps[${i}].samples[${j}][0]`), r.int(p[1], `steps[${i}].samples[${j}][1]`)];
    });
    const labels = r.ints(step.labels, `steps[${i}].labels`);
    if (labels.length !== samples.length)
      r.fail(`steps[${i}] has ${samples.length} samples but ${labels.length} labels`);
    return {
      step: r.int(step.step, `steps[${i}].step`),
      epoch: r.int(step.epoch, `steps[${i}].epoch`),
      lr: r.num(step.lr, `steps[${i}].lr`),
      samples,
      labels,
    };
  });
  const epochs = r.arr(root.epochs, 'epochs').map((e, i) => {
    const epoch = r.obj(e, `epochs[${i}]`);
    const sd = epoch.state_dict_file;
    return {
      epoch: r.int(epoch.epoch, `epochs[${i}].epoch`),
      lastStep: r.int(epoch.last_step, `epochs[${i}].last_step`),
      stateDictFile: sd === null || sd === undefined ? null : r.str(sd, `epochs[${i}].state_dict_file`),
    };
  });
  steps.forEach((s, i) => {
    if (s.step !== i + 1) r.fail(`steps[${i}].step is ${s.step}, expected ${i + 1} (steps in execution order)`);
  });
  return {
    datasetKey: r.str(root.dataset_key, 'dataset_key'),
    trainFiles,
    fclassOrder: r.ints(root.fclass_order, 'fclass_order'),
    bclassOrder: r.ints(root.bclass_order, 'bclass_order'),
    neighbors,
    nnDist: nnDist as NNDist,
    hdims: r.ints(model.hdims, 'model.hdims'),
    hact,
    dummyMode: model.dummy_mode === true,
    predScale: model.pred_scale === undefined ? 1 : r.num(model.pred_scale, 'model.pred_scale'),
    stateDictKeys: r
      .arr(model.state_dict_keys, 'model.state_dict_keys')
      .map((k, i) => r.str(r.obj(k, `model.state_dict_keys[${i}]`).name, `model.state_dict_keys[${i}].name`)),
    optimizer: { name: optimName, params: optimParams },
    scheduler: { name: scheduler ? className(r.str(scheduler.class, 'scheduler.class')) : null, params: schedParams },
    steps,
    epochs,
  };
}

/** A `torch.save`d plain dict of tensors (a state dict) as key → shape + float32 data. */
export async function readStateDict(file: string): Promise<Record<string, StateTensor>> {
  const value = await readPythonFile(file);
  if (!(value instanceof PyDict)) throw new FileFormatError(file, 'not a dict of tensors');
  const out: Record<string, StateTensor> = {};
  for (const [key, t] of value.entries) {
    if (!isTensor(t)) throw new FileFormatError(file, `'${String(key)}' is not a tensor`);
    out[String(key)] = { shape: t.shape, data: toFloat32(t) };
  }
  return out;
}

/**
 * Global row of each `[file, row]` in our train datagrp: our shards are concatenated in name order,
 * the recording says how many rows each of its files has.
 */
function rowIndex(
  ds: LoadedDataset,
  datagrp: string,
  rec: ReplayRecord,
  file: string,
): (name: string, row: number) => number {
  const grp = ds.datagrps[datagrp];
  if (!grp) throw new UserError(`dataset '${ds.spec.key}' has no datagrp '${datagrp}'`);
  const sizes = new Map(rec.trainFiles.map((f) => [f.file, f.nRows]));
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const f of grp.files) {
    const name = path.basename(f);
    const n = sizes.get(name);
    if (n === undefined)
      throw new FileFormatError(file, `the dataset's feature file ${name} is not among the recording's train files`);
    offsets.set(name, offset);
    offset += n;
  }
  if (offset !== grp.n)
    throw new FileFormatError(file, `the recording's train files hold ${offset} rows; '${ds.spec.key}' has ${grp.n}`);
  return (name, row) => {
    const start = offsets.get(name);
    if (start === undefined || row < 0 || row >= (sizes.get(name) ?? 0))
      throw new FileFormatError(file, `no row ${row} in ${name}`);
    return start + row;
  };
}

export interface ReplayOptions {
  backend?: BackendName;
  cacheRoot?: CacheRoot;
}

/** The original trains on the `train` datagrp; the recording's rows index its files. */
const TRAIN_DATAGRP = 'train';

/** Replays the recording in `dir` (replay.json, init.pth) on `ds` through the engine's training step. */
export async function replayTraining(ds: LoadedDataset, dir: string, opts: ReplayOptions = {}): Promise<ReplayOutput> {
  const jsonFile = path.join(dir, 'replay.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  } catch (error) {
    throw new FileFormatError(jsonFile, `cannot read it as JSON (${(error as Error).message})`);
  }
  const rec = parseReplay(parsed, jsonFile);
  if (rec.dummyMode) throw new FileFormatError(jsonFile, 'the recording is of dummy mode: nothing trains');
  await initBackend(opts.backend);
  const initFile = path.join(dir, 'init.pth');
  const init = await readStateDict(initFile);

  const k = rec.fclassOrder.length > 0 ? (rec.neighbors[String(rec.fclassOrder[0])]?.length ?? 0) : 0;
  const table: NeighborTable = {
    dist: rec.nnDist,
    k,
    few: rec.fclassOrder,
    neighbors: rec.fclassOrder.map((c) => {
      const row = rec.neighbors[String(c)];
      if (!row || row.length !== k)
        throw new FileFormatError(jsonFile, `few class ${c} needs ${k} neighbours in nn_classes_per_fclass`);
      return row;
    }),
    seed: null,
  };
  const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
  let network: SavedNetwork;
  try {
    network = networkFromStateDict(init, {
      few: table.few,
      neighbors: table.neighbors,
      nnDist: rec.nnDist,
      hact: rec.hact,
    });
  } catch (error) {
    if (error instanceof UserError) throw new FileFormatError(initFile, error.message);
    throw error;
  }
  if (network.dim !== ds.dim)
    throw new FileFormatError(initFile, `the network takes ${network.dim}-dim sources; '${ds.spec.key}' has ${ds.dim}`);
  const spec: NetworkSpec = { inDim: (k + 1) * ds.dim, hdims: network.hdims, outDim: k, act: rec.hact };
  const params = network.params.map((p) => Float32Array.from(p));

  const optim = parseOptimizer(rec.optimizer.name, rec.optimizer.params);
  const sched = parseScheduler(rec.scheduler.name, rec.scheduler.params);
  const optState = initOptimizerState(optim, params);
  const rowOf = rowIndex(ds, TRAIN_DATAGRP, rec, jsonFile);
  const labels = ds.datagrps[TRAIN_DATAGRP].labels;
  const scores = await datagrpScores(ds, TRAIN_DATAGRP, opts.cacheRoot);
  const C = ds.nClasses;

  // The frozen tensors, from our classifier in the original's orders (they never change).
  const frozen: Record<string, number[]> = {
    alphanet_b__vec: rec.fclassOrder.map((c) => ds.classifier.bias[c]),
    'base_clf.weight': rec.bclassOrder.flatMap((c) =>
      Array.from(ds.classifier.weight.subarray(c * ds.dim, (c + 1) * ds.dim)),
    ),
    'base_clf.bias': rec.bclassOrder.map((c) => ds.classifier.bias[c]),
  };
  // The recording's frozen tensors are its pretrained classifier: another one means another dataset.
  for (const [key, values] of Object.entries(frozen)) {
    const recorded = init[key];
    if (recorded && (recorded.data.length !== values.length || values.some((v, i) => v !== recorded.data[i]))) {
      throw new UserError(
        `${initFile}: its ${key} is not the classifier of '${ds.spec.key}' (the recording is of '${rec.datasetKey}')`,
      );
    }
  }
  const trainedKeys = ['alphanet.conv_layer.weight', 'alphanet.conv_layer.bias'];
  for (let i = 0; i < spec.hdims.length; i++)
    trainedKeys.push(`alphanet.linear_layer__seq.${i}.weight`, `alphanet.linear_layer__seq.${i}.bias`);
  const stateDict = (): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    const trained = new Map(trainedKeys.map((key, i) => [key, Array.from(params[i])]));
    for (const key of rec.stateDictKeys) {
      const v = trained.get(key) ?? frozen[key];
      if (!v) throw new FileFormatError(jsonFile, `state dict key '${key}' is not part of AlphaNet's classifier`);
      out[key] = v;
    }
    return out;
  };

  const lastStepOf = new Map(rec.epochs.map((e) => [e.lastStep, e]));
  const output: ReplayOutput = { losses: [], epochs: {}, alphas: {} };
  const trainer = new AlphaTrainer(problem, spec, rec.predScale);
  try {
    for (const s of rec.steps) {
      const lr = lrAt(sched, optim.lr, s.epoch - 1);
      // The schedule is ours; a recording that used another LR is a difference to report, not to paper over.
      if (Math.abs(lr - s.lr) > 1e-12 * Math.abs(s.lr)) {
        throw new UserError(
          `step ${s.step}: our ${rec.scheduler.name ?? 'constant'} schedule (${formatKeyValues(rec.scheduler.params)}) gives lr ${lr}, the recording used ${s.lr}`,
        );
      }
      const rows = s.samples.map(([name, row]) => rowOf(name, row));
      rows.forEach((row, i) => {
        if (labels[row] !== s.labels[i])
          throw new FileFormatError(
            jsonFile,
            `step ${s.step}: ${s.samples[i][0]} row ${s.samples[i][1]} has label ${labels[row]}, the recording says ${s.labels[i]}`,
          );
      });
      const batch = { scores: gatherRows(scores, C, rows), labels: Int32Array.from(s.labels) };
      const loss = trainStep(trainer, optim, optState, params, batch, lr);
      output.losses.push(loss);
      const epoch = lastStepOf.get(s.step);
      if (epoch) {
        const tilde = trainer.alphas(params);
        output.alphas[String(epoch.epoch)] = Object.fromEntries(
          problem.few.map((c, i) => [String(c), [1, ...Array.from(tilde.subarray(i * k, (i + 1) * k))]]),
        );
        if (epoch.stateDictFile !== null) output.epochs[String(epoch.epoch)] = stateDict();
      }
    }
  } finally {
    trainer.dispose();
  }
  return output;
}

/** The largest differences between a replay and the recording it replayed (what `alphanet replay` prints). */
export interface ReplayDifferences {
  loss: number;
  alpha: number;
  /** Trained tensors of the saved state dicts. */
  weight: number;
  /** Frozen tensors (they must be exact). */
  frozen: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export async function replayDifferences(dir: string, out: ReplayOutput): Promise<ReplayDifferences> {
  const file = path.join(dir, 'replay.json');
  const r = reader(file);
  const root = r.obj(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown, 'top level');
  const recorded = r.arr(root.steps, 'steps').map((s, i) => r.num(r.obj(s, `steps[${i}]`).loss, `steps[${i}].loss`));
  const diff: ReplayDifferences = { loss: maxAbsDiff(out.losses, recorded), alpha: 0, weight: 0, frozen: 0 };
  for (const [i, e] of r.arr(root.epochs, 'epochs').entries()) {
    const epoch = r.obj(e, `epochs[${i}]`);
    const key = String(r.int(epoch.epoch, `epochs[${i}].epoch`));
    const alphas = r.obj(epoch.alphas_per_few_class, `epochs[${i}].alphas_per_few_class`);
    for (const [c, want] of Object.entries(alphas)) {
      diff.alpha = Math.max(
        diff.alpha,
        maxAbsDiff(out.alphas[key]?.[c] ?? [], r.arr(want, `epochs[${i}].alphas_per_few_class.${c}`) as number[]),
      );
    }
    if (typeof epoch.state_dict_file === 'string' && out.epochs[key]) {
      const want = await readStateDict(path.join(dir, epoch.state_dict_file));
      for (const [name, t] of Object.entries(want)) {
        const d = maxAbsDiff(out.epochs[key][name] ?? [], t.data);
        if (name.startsWith('alphanet.')) diff.weight = Math.max(diff.weight, d);
        else diff.frozen = Math.max(diff.frozen, d);
      }
    }
  }
  return diff;
}
