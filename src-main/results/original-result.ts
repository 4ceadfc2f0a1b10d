/**
 * Turns the original AlphaNet's result files (`train.py --save-file`, and the baseline file, which is
 * the same TrainResult written in dummy mode with 0 epochs) into our RunResult, without torch.
 *
 * What the original's file cannot give is marked, never invented: per-epoch val top-5/F1 (its
 * per-epoch `val_metrics` alias the final test metrics, spec §4), per-epoch wall time, the seed (the
 * original sets none) and test per-class sample counts are NaN / empty, and `notes` says so. The
 * per-epoch learning rate is recomputed from the recorded optimiser and scheduler settings.
 * Per-epoch val accuracy is recomputed from the per-class val accuracies weighted by the val class
 * sizes that the file records in `val_data_info`.
 */
import type { PyValue } from '../formats/pyvalue.ts';
import { PyBytes, PyDict, PyGlobal, PyObject, PySet, PyTuple, isTensor } from '../formats/pyvalue.ts';
import { FileFormatError } from '../errors.ts';
import type { AlphaEntry, EpochRecord, EvalMetrics, EvalResult, RunResult } from '../../src-shared/result.ts';
import type { SplitName } from '../../src-shared/dataset.ts';
import { SPLITS } from '../../src-shared/dataset.ts';
import type { KeyValues, LrSchedulerName, NNDist, OptimizerName, RunConfig } from '../../src-shared/config.ts';
import { ACTIVATIONS, LR_SCHEDULERS, NN_DISTS, OPTIMIZERS } from '../../src-shared/config.ts';
import { ACTIVATION_TABLE, canonicalActivation } from '../../src-shared/activations.ts';
import { lrAt, parseOptimizer, parseScheduler } from '../engine/optim.ts';
import type { JsonObject, JsonValue } from '../store/json.ts';

export interface ImportedRun {
  result: RunResult;
  /** Fields the RunResult has no place for (the store's `extra` column); includes `import_notes`. */
  extra: JsonObject;
  /** What the file could not provide, one sentence each. */
  notes: string[];
}

/** The backend and app version recorded for imported runs. */
export const ORIGINAL_BACKEND = 'pytorch (original AlphaNet)';
export const ORIGINAL_APP_VERSION = 'alphanet-original';

/** Top-level TrainResult fields mapped into the RunResult; any other field is kept in `extra`. */
const KNOWN_FIELDS = new Set([
  'train_data_info',
  'val_data_info',
  'nn_info',
  'alphanet',
  'alphanet_source__mat__seq',
  'fbclass_ordered_idx__vec',
  'training_config',
  'epoch_data__seq',
  'best_epoch',
  'best_alphanet_classifier_state_dict',
  'test_metrics',
  'test_acc__per__split',
  'test_acc__per__class',
]);
const KNOWN_EPOCH_FIELDS = new Set([
  'n_train__per__split',
  'mean_batch_loss__seq',
  'mean_alpha__vec',
  'min_alpha__vec',
  'max_alpha__vec',
  'val_metrics',
  'val_acc__per__split',
  'val_acc__per__class',
]);
/** Tensors up to this many elements are kept whole in `extra`; larger ones only by dtype and shape. */
const MAX_EXTRA_TENSOR = 4096;

/** Reads one file's nested PyValue, naming the path of any bad field in its errors. */
class FieldReader {
  constructor(readonly file: string) {}

  fail(where: string, problem: string): never {
    throw new FileFormatError(this.file, `not an AlphaNet result file: ${where}: ${problem}`);
  }

  dict(value: PyValue | undefined, where: string): PyDict {
    if (value instanceof PyDict) return value;
    // dict subclasses (corgy's KeyValuePairs) carry their items; Corgy objects pickled without
    // as_dict() carry their attributes as state.
    if (value instanceof PyObject && value.dictItems) return value.dictItems;
    if (value instanceof PyObject && value.state instanceof PyDict) return value.state;
    return this.fail(where, `expected a dict, found ${describe(value)}`);
  }

  field(d: PyDict, key: string, where: string): PyValue {
    const value = d.get(key);
    if (value === undefined) this.fail(where, `missing '${key}'`);
    return value;
  }

  number(value: PyValue | undefined, where: string): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (isTensor(value) && value.data.length === 1) return Number(value.data[0]);
    return this.fail(where, `expected a number, found ${describe(value)}`);
  }

  integer(value: PyValue | undefined, where: string): number {
    const n = this.number(value, where);
    if (!Number.isInteger(n)) this.fail(where, `expected a whole number, found ${n}`);
    return n;
  }

  string(value: PyValue | undefined, where: string): string {
    if (typeof value === 'string') return value;
    return this.fail(where, `expected a string, found ${describe(value)}`);
  }

  items(value: PyValue | undefined, where: string): PyValue[] {
    if (Array.isArray(value)) return value;
    if (value instanceof PyTuple || value instanceof PySet) return value.items;
    if (value instanceof PyObject && value.listItems) return value.listItems;
    return this.fail(where, `expected a list, found ${describe(value)}`);
  }

  /** A 1-D tensor or a list of numbers. */
  vector(value: PyValue | undefined, where: string): number[] {
    if (isTensor(value)) return Array.from(value.data as ArrayLike<number | bigint>, Number);
    return this.items(value, where).map((v, i) => this.number(v, `${where}[${i}]`));
  }

  /** A tensor of the given rank, as float64 values (row-major) and its shape. */
  tensor(value: PyValue | undefined, rank: number, where: string): { shape: number[]; data: Float64Array } {
    const t = unwrapParameter(value);
    if (!isTensor(t)) return this.fail(where, `expected a tensor, found ${describe(value)}`);
    if (t.shape.length !== rank) this.fail(where, `expected ${rank} dimensions, found shape (${t.shape.join(', ')})`);
    return { shape: t.shape, data: Float64Array.from(t.data as ArrayLike<number | bigint>, Number) };
  }

  /** The short name of a class reference (`torch.optim.adamw.AdamW` → `AdamW`). */
  className(value: PyValue | undefined, where: string): string {
    let name: string | null = null;
    if (value instanceof PyGlobal) name = value.fullName;
    else if (value instanceof PyObject) name = value.pyClass;
    else if (typeof value === 'string') name = value.replace(/^<class '(.*)'>$/, '$1');
    if (!name) return this.fail(where, `expected a class reference, found ${describe(value)}`);
    return name.slice(name.lastIndexOf('.') + 1);
  }

  /** `{class id: value}` → an array indexed by class; absent or NaN entries are null. */
  perClass(value: PyValue | undefined, nClasses: number, where: string): (number | null)[] {
    const d = this.dict(value, where);
    const out: (number | null)[] = new Array<number | null>(nClasses).fill(null);
    for (const [key, v] of d.entries) {
      const c = typeof key === 'bigint' ? Number(key) : key;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= nClasses) {
        this.fail(where, `class id ${String(key)} is not in 0..${nClasses - 1}`);
      }
      const x = this.number(v, `${where}[${c}]`);
      out[c] = Number.isNaN(x) ? null : x;
    }
    return out;
  }

  splitValues(value: PyValue | undefined, where: string): Record<SplitName, number> {
    const d = this.dict(value, where);
    const out = {} as Record<SplitName, number>;
    for (const split of SPLITS) out[split] = this.number(d.get(split), `${where}.${split}`);
    return out;
  }

  keyValues(value: PyValue | undefined, where: string): KeyValues {
    if (value === null || value === undefined) return {};
    const out: KeyValues = {};
    for (const [key, v] of this.dict(value, where).entries) out[String(key)] = pyScalarText(v);
    return out;
  }

  choice<T extends string>(value: string, allowed: readonly T[], where: string): T {
    const found = allowed.find((a) => a === value);
    if (found === undefined) this.fail(where, `'${value}' is not one of ${allowed.join(', ')}`);
    return found;
  }
}

/** `torch._utils._rebuild_parameter` may arrive as a placeholder whose first argument is the tensor. */
function unwrapParameter(value: PyValue | undefined): PyValue | undefined {
  if (value instanceof PyObject && value.pyClass.endsWith('_rebuild_parameter') && value.args.length > 0) {
    return value.args[0];
  }
  return value;
}

function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (isTensor(value)) return `a tensor of shape (${value.shape.join(', ')})`;
  if (value instanceof PyObject) return `an object of class ${value.pyClass}`;
  if (value instanceof PyGlobal) return `the name ${value.fullName}`;
  if (value instanceof PyDict) return 'a dict';
  if (Array.isArray(value) || value instanceof PyTuple) return 'a list';
  return `a ${typeof value}`;
}

/** How Python's str() would show a scalar config value (KeyValuePairs keep strings). */
function pyScalarText(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return String(value);
  return JSON.stringify(pyToJson(value));
}

/** A JSON picture of any PyValue, for `extra`: big tensors are reduced to dtype and shape. */
export function pyToJson(value: PyValue): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (isTensor(value)) {
    const head: JsonObject = { dtype: value.dtype, shape: value.shape };
    if (value.data.length <= MAX_EXTRA_TENSOR) {
      head.data = Array.from(value.data as ArrayLike<number | bigint>, (x) => {
        const n = Number(x);
        return Number.isFinite(n) ? n : null;
      });
    }
    return head;
  }
  if (Array.isArray(value)) return value.map(pyToJson);
  if (value instanceof PyTuple) return value.items.map(pyToJson);
  if (value instanceof PySet) return value.items.map(pyToJson);
  if (value instanceof PyBytes) return { bytes: value.length };
  if (value instanceof PyGlobal) return { global: value.fullName };
  if (value instanceof PyDict) {
    const out: JsonObject = {};
    for (const [key, v] of value.entries) out[String(key)] = pyToJson(v);
    return out;
  }
  const unwrapped = unwrapParameter(value);
  if (unwrapped !== value && unwrapped !== undefined) return pyToJson(unwrapped);
  return { class: value.pyClass, state: pyToJson(value.state) };
}

interface Layer {
  weight: Float64Array;
  bias: Float64Array;
  nOut: number;
  nIn: number;
}

/**
 * AlphaNet's coefficient network on one flattened (k+1)·d source matrix: the first layer (a conv whose
 * kernel covers the whole matrix, i.e. a linear layer), then act → linear for each later layer, then
 * L1 normalisation; returns [1, ã_1, …, ã_k] (a zero output stays zero rather than NaN).
 */
export function alphanetAlphas(layers: Layer[], act: (x: number) => number, source: Float64Array): number[] {
  let h: Float64Array = source;
  layers.forEach((layer, li) => {
    if (li > 0) h = h.map(act);
    const out = new Float64Array(layer.nOut);
    for (let o = 0; o < layer.nOut; o++) {
      let s = layer.bias[o];
      const row = o * layer.nIn;
      for (let i = 0; i < layer.nIn; i++) s += layer.weight[row + i] * h[i];
      out[o] = s;
    }
    h = out;
  });
  let norm = 0;
  for (const x of h) norm += Math.abs(x);
  return [1, ...Array.from(h, (x) => (norm > 0 ? x / norm : 0))];
}

function readLayers(r: FieldReader, stateDict: PyDict, k: number): Layer[] {
  const where = 'best_alphanet_classifier_state_dict';
  const conv = r.tensor(stateDict.get('alphanet.conv_layer.weight'), 4, `${where}['alphanet.conv_layer.weight']`);
  const [h1, channels, rows, cols] = conv.shape;
  if (channels !== 1 || rows !== k + 1) {
    r.fail(where, `conv_layer.weight has shape (${conv.shape.join(', ')}), expected (h, 1, ${k + 1}, d)`);
  }
  const layers: Layer[] = [
    { weight: conv.data, bias: readBias(r, stateDict, 'alphanet.conv_layer.bias', h1), nOut: h1, nIn: rows * cols },
  ];
  for (let i = 0; stateDict.get(`alphanet.linear_layer__seq.${i}.weight`) !== undefined; i++) {
    const name = `alphanet.linear_layer__seq.${i}`;
    const w = r.tensor(stateDict.get(`${name}.weight`), 2, `${where}['${name}.weight']`);
    const [nOut, nIn] = w.shape;
    const prev = layers[layers.length - 1].nOut;
    if (nIn !== prev) r.fail(where, `${name}.weight takes ${nIn} inputs, the previous layer gives ${prev}`);
    layers.push({ weight: w.data, bias: readBias(r, stateDict, `${name}.bias`, nOut), nOut, nIn });
  }
  if (layers.length < 2 || layers[layers.length - 1].nOut !== k) {
    r.fail(where, `the last layer must give ${k} outputs (one per neighbour)`);
  }
  return layers;
}

function readBias(r: FieldReader, stateDict: PyDict, key: string, n: number): Float64Array {
  const value = stateDict.get(key);
  if (value === undefined || value === null) return new Float64Array(n);
  const b = r.tensor(value, 1, `best_alphanet_classifier_state_dict['${key}']`);
  if (b.shape[0] !== n) r.fail(key, `expected ${n} values, found ${b.shape[0]}`);
  return b.data;
}

function distance(metric: 'euclidean' | 'cosine', a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    sq += (a[i] - b[i]) ** 2;
  }
  return metric === 'euclidean' ? Math.sqrt(sq) : 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
}

function weightedAccuracy(perClass: (number | null)[], counts: number[] | null): number {
  if (!counts) return Number.NaN;
  let correct = 0;
  let total = 0;
  perClass.forEach((acc, c) => {
    if (acc !== null && counts[c] > 0) {
      correct += acc * counts[c];
      total += counts[c];
    }
  });
  return total > 0 ? correct / total : Number.NaN;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Reads a TrainResult dict (as `torch.load` of a `--save-file` or baseline file gives it, through our
 * unpickler with result-file placeholders) into a RunResult plus the fields we keep as extra JSON.
 */
export function importOriginalResult(value: PyValue, file: string): ImportedRun {
  const r = new FieldReader(file);
  const root = r.dict(value, 'the top level');
  const notes: string[] = ['the original records no seed'];
  const extra: JsonObject = {};

  // Data info: classes, splits and class sizes.
  const trainInfo = r.dict(r.field(root, 'train_data_info', 'top level'), 'train_data_info');
  const dataset = r.string(r.field(trainInfo, 'dataset_name', 'train_data_info'), 'train_data_info.dataset_name');
  const nClasses = r.integer(r.field(trainInfo, 'n_classes', 'train_data_info'), 'train_data_info.n_classes');
  const splitSets = r.dict(trainInfo.get('class__set__per__split'), 'train_data_info.class__set__per__split');
  const fewClasses = r
    .items(splitSets.get('few'), 'train_data_info.class__set__per__split.few')
    .map((c, i) => r.integer(c, `train_data_info.class__set__per__split.few[${i}]`));
  const classCounts = (info: PyDict | null, where: string): number[] | null => {
    const counts = info?.get('n_imgs__per__class');
    if (counts === undefined || counts === null) return null;
    return r.perClass(counts, nClasses, where).map((n) => n ?? 0);
  };
  const trainCounts = classCounts(trainInfo, 'train_data_info.n_imgs__per__class');
  if (trainCounts) extra.train_n_per_class = trainCounts;
  const valInfoValue = root.get('val_data_info');
  const valInfo = valInfoValue === undefined || valInfoValue === null ? null : r.dict(valInfoValue, 'val_data_info');
  const valCounts = classCounts(valInfo, 'val_data_info.n_imgs__per__class');

  // Configuration.
  const anet = r.dict(r.field(root, 'alphanet', 'top level'), 'alphanet');
  const dummy = anet.get('dummy_mode') === true;
  const hactName = r.string(anet.get('hact') ?? 'leaky_relu', 'alphanet.hact');
  const hact = r.choice(canonicalActivation(hactName) ?? hactName, ACTIVATIONS, 'alphanet.hact');
  const hdims = r.vector(anet.get('hdims'), 'alphanet.hdims');
  const tc = r.dict(r.field(root, 'training_config', 'top level'), 'training_config');
  const ptopt = r.dict(r.field(tc, 'ptopt', 'training_config'), 'training_config.ptopt');
  const samplers = r.dict(r.field(tc, 'sampler_builder', 'training_config'), 'training_config.sampler_builder');
  const schedValue = ptopt.get('lr_sched_cls');
  const trainBatch = r.integer(r.field(tc, 'train_batch_size', 'training_config'), 'training_config.train_batch_size');
  const evalBatch = tc.get('eval_batch_size');
  const valGrp = tc.get('val_datagrp');
  const k = r.integer(r.field(tc, 'n_neighbors', 'training_config'), 'training_config.n_neighbors');
  const config: RunConfig = {
    dataset,
    alphanet: { hdims, hact },
    training: {
      n_neighbors: k,
      nn_dist: r.choice<NNDist>(
        r.string(tc.get('nn_dist'), 'training_config.nn_dist'),
        NN_DISTS,
        'training_config.nn_dist',
      ),
      optim_cls: r.choice<OptimizerName>(
        r.className(ptopt.get('optim_cls'), 'training_config.ptopt.optim_cls'),
        OPTIMIZERS,
        'training_config.ptopt.optim_cls',
      ),
      optim_params: r.keyValues(ptopt.get('optim_params'), 'training_config.ptopt.optim_params'),
      lr_sched_cls:
        schedValue === null || schedValue === undefined
          ? null
          : r.choice<LrSchedulerName>(
              r.className(schedValue, 'training_config.ptopt.lr_sched_cls'),
              LR_SCHEDULERS,
              'training_config.ptopt.lr_sched_cls',
            ),
      lr_sched_params: r.keyValues(ptopt.get('lr_sched_params'), 'training_config.ptopt.lr_sched_params'),
      train_epochs: r.integer(r.field(tc, 'train_epochs', 'training_config'), 'training_config.train_epochs'),
      min_epochs: r.integer(r.field(tc, 'min_epochs', 'training_config'), 'training_config.min_epochs'),
      train_batch_size: trainBatch,
      eval_batch_size:
        evalBatch === null || evalBatch === undefined
          ? trainBatch
          : r.integer(evalBatch, 'training_config.eval_batch_size'),
      sampler_classes: r
        .items(samplers.get('sampler_classes'), 'training_config.sampler_builder.sampler_classes')
        .map((c, i) => r.className(c, `training_config.sampler_builder.sampler_classes[${i}]`)),
      sampler_args: r
        .items(samplers.get('sampler_args'), 'training_config.sampler_builder.sampler_args')
        .map((a, i) => r.keyValues(a, `training_config.sampler_builder.sampler_args[${i}]`)),
      pred_scale: tc.get('pred_scale') === undefined ? 1 : r.number(tc.get('pred_scale'), 'training_config.pred_scale'),
      train_datagrp: r.string(tc.get('train_datagrp') ?? 'train', 'training_config.train_datagrp'),
      val_datagrp:
        valGrp === null || valGrp === undefined || valGrp === ''
          ? null
          : r.string(valGrp, 'training_config.val_datagrp'),
      test_datagrp: r.string(tc.get('test_datagrp') ?? 'test', 'training_config.test_datagrp'),
      // What the original effectively does (spec §4): its kept epoch is always min_epochs.
      selection: 'min-epochs',
      tb_logs: null,
    },
  };
  const otherConfig: JsonObject = {};
  for (const [key, v] of tc.entries) {
    if (
      ![
        'ptopt',
        'sampler_builder',
        'n_neighbors',
        'nn_dist',
        'train_epochs',
        'min_epochs',
        'train_batch_size',
        'eval_batch_size',
        'pred_scale',
        'train_datagrp',
        'val_datagrp',
        'test_datagrp',
      ].includes(String(key))
    ) {
      otherConfig[String(key)] = pyToJson(v);
    }
  }
  if (Object.keys(otherConfig).length > 0) extra.training_config_other = otherConfig;

  // The original does not record the learning rate; its optimiser and scheduler settings determine it.
  let lrOfEpoch: (epoch: number) => number = () => Number.NaN;
  try {
    const optim = parseOptimizer(config.training.optim_cls, config.training.optim_params);
    const sched = parseScheduler(config.training.lr_sched_cls, config.training.lr_sched_params);
    lrOfEpoch = (epoch) => lrAt(sched, optim.lr, epoch - 1);
  } catch (error) {
    notes.push(`per-epoch learning rate unknown (${(error as Error).message})`);
  }

  // Epochs.
  const epochValues = r.items(r.field(root, 'epoch_data__seq', 'top level'), 'epoch_data__seq');
  const epochExtras: JsonValue[] = [];
  let valAccuracyMissing = false;
  const epochs: EpochRecord[] = epochValues.map((ev, i) => {
    const where = `epoch_data__seq[${i}]`;
    const e = r.dict(ev, where);
    const batchLosses = r.vector(r.field(e, 'mean_batch_loss__seq', where), `${where}.mean_batch_loss__seq`);
    const valSplitValue = e.get('val_acc__per__split');
    const valClassValue = e.get('val_acc__per__class');
    const valPerClass =
      valClassValue === undefined || valClassValue === null
        ? null
        : r.perClass(valClassValue, nClasses, `${where}.val_acc__per__class`);
    let val: EvalMetrics | null = null;
    if (valSplitValue !== undefined && valSplitValue !== null) {
      const accuracy = valPerClass ? weightedAccuracy(valPerClass, valCounts) : Number.NaN;
      if (Number.isNaN(accuracy)) valAccuracyMissing = true;
      val = {
        accuracy,
        top5: Number.NaN,
        f1: Number.NaN,
        per_split: { ...r.splitValues(valSplitValue, `${where}.val_acc__per__split`), overall: accuracy },
      };
    }
    const epochExtra: JsonObject = {};
    for (const [key, v] of e.entries) {
      if (!KNOWN_EPOCH_FIELDS.has(String(key))) epochExtra[String(key)] = pyToJson(v);
    }
    epochExtras.push(epochExtra);
    return {
      epoch: i + 1,
      lr: lrOfEpoch(i + 1),
      mean_loss: mean(batchLosses),
      batch_losses: batchLosses,
      alpha_mean: r.vector(e.get('mean_alpha__vec'), `${where}.mean_alpha__vec`),
      alpha_min: r.vector(e.get('min_alpha__vec'), `${where}.min_alpha__vec`),
      alpha_max: r.vector(e.get('max_alpha__vec'), `${where}.max_alpha__vec`),
      n_train_per_split: r.splitValues(r.field(e, 'n_train__per__split', where), `${where}.n_train__per__split`),
      val,
      val_per_class: valPerClass,
      wall_time: Number.NaN,
    };
  });
  if (epochExtras.some((x) => Object.keys(x as JsonObject).length > 0)) extra.epochs_extra = epochExtras;
  if (epochs.length > 0) {
    notes.push('per-epoch wall time is not in the original file (the learning rate is recomputed from the scheduler)');
    if (epochs.some((e) => e.val !== null)) {
      notes.push(
        "per-epoch val top-5 and F1 are unknown (the original's per-epoch val_metrics alias the final test metrics)",
      );
    }
  }
  if (valAccuracyMissing)
    notes.push('per-epoch val accuracy could not be recomputed (no per-class val accuracies or val class sizes)');

  const bestValue = root.get('best_epoch');
  const bestEpoch = bestValue === undefined || bestValue === null ? null : r.integer(bestValue, 'best_epoch') + 1;
  if (bestEpoch !== null && (bestEpoch < 1 || bestEpoch > epochs.length)) {
    r.fail('best_epoch', `${bestEpoch - 1} is not an epoch index (the file has ${epochs.length} epochs)`);
  }
  const bestRecord = bestEpoch === null ? null : epochs[bestEpoch - 1];
  const val: EvalResult | null =
    bestRecord?.val && bestRecord.val_per_class
      ? { ...bestRecord.val, per_class: bestRecord.val_per_class, per_class_total: valCounts ?? [] }
      : null;

  // Test results of the kept state.
  const testMetrics = r.dict(r.field(root, 'test_metrics', 'top level'), 'test_metrics');
  const accuracy = r.number(testMetrics.get('accuracy'), 'test_metrics.accuracy');
  const testClassValue = root.get('test_acc__per__class');
  const test: EvalResult = {
    accuracy,
    top5: r.number(testMetrics.get('top-5 accuracy'), "test_metrics['top-5 accuracy']"),
    f1: r.number(testMetrics.get('f1'), 'test_metrics.f1'),
    per_split: {
      ...r.splitValues(r.field(root, 'test_acc__per__split', 'top level'), 'test_acc__per__split'),
      overall: accuracy,
    },
    per_class:
      testClassValue === undefined || testClassValue === null
        ? []
        : r.perClass(testClassValue, nClasses, 'test_acc__per__class'),
    per_class_total: [],
  };
  if (test.per_class.length === 0) notes.push('the file has no per-class test accuracies');
  notes.push('per-class test sample counts are not in the original file');

  // Learned coefficients of every few class.
  const nnInfo = r.dict(r.field(root, 'nn_info', 'top level'), 'nn_info');
  const nnPerClass = r.dict(
    r.field(nnInfo, 'nn_class__seq__per__fclass', 'nn_info'),
    'nn_info.nn_class__seq__per__fclass',
  );
  const sources = r.items(r.field(root, 'alphanet_source__mat__seq', 'top level'), 'alphanet_source__mat__seq');
  const position = sourcePositions(r, root, fewClasses, nClasses);
  const stateDictValue = root.get('best_alphanet_classifier_state_dict');
  const layers =
    dummy || stateDictValue === undefined || stateDictValue === null
      ? null
      : readLayers(r, r.dict(stateDictValue, 'best_alphanet_classifier_state_dict'), k);
  if (!dummy && !layers) notes.push('no kept AlphaNet weights in the file: alphas are not available');
  const act = ACTIVATION_TABLE[hact].fn;
  const alphas: Record<string, AlphaEntry> = {};
  const nnDistances: JsonObject = {};
  const meanFeats = nnInfo.get('nn_mean_feat__mat__per__fclass');
  const metric = config.training.nn_dist === 'random' ? null : config.training.nn_dist;
  for (const c of fewClasses) {
    const neighbors = r.vector(nnPerClass.get(c), `nn_info.nn_class__seq__per__fclass[${c}]`);
    if (neighbors.length !== k)
      r.fail(`nn_info.nn_class__seq__per__fclass[${c}]`, `expected ${k} neighbours, found ${neighbors.length}`);
    let alpha: number[] | null = null;
    if (dummy) alpha = [1, ...new Array<number>(k).fill(0)];
    else if (layers) {
      const j = position(c);
      const source = r.tensor(sources[j], 2, `alphanet_source__mat__seq[${j}]`);
      if (source.data.length !== layers[0].nIn) {
        r.fail(`alphanet_source__mat__seq[${j}]`, `shape (${source.shape.join(', ')}) does not fit conv_layer.weight`);
      }
      alpha = alphanetAlphas(layers, act, source.data);
    }
    if (alpha) alphas[String(c)] = { neighbors, alpha };
    if (metric && meanFeats instanceof PyDict && meanFeats.get(c) !== undefined) {
      const m = r.tensor(meanFeats.get(c), 2, `nn_info.nn_mean_feat__mat__per__fclass[${c}]`);
      const d = m.shape[1];
      const self = m.data.subarray(0, d);
      nnDistances[String(c)] = neighbors.map((_, i) =>
        distance(metric, self, m.data.subarray((i + 1) * d, (i + 2) * d)),
      );
    }
  }
  if (Object.keys(nnDistances).length > 0) extra.nn_distances = nnDistances;

  for (const [key, v] of root.entries) if (!KNOWN_FIELDS.has(String(key))) extra[String(key)] = pyToJson(v);
  extra.import_notes = notes;
  extra.imported_from = file;

  const result: RunResult = {
    kind: dummy ? 'baseline' : 'train',
    dataset,
    config,
    seed: Number.NaN,
    backend: ORIGINAL_BACKEND,
    app_version: ORIGINAL_APP_VERSION,
    selection: 'min-epochs',
    epochs,
    best_epoch: dummy ? null : bestEpoch,
    val,
    test,
    alphas,
  };
  return { result, extra, notes };
}

/**
 * Where few class c's source matrix sits in `alphanet_source__mat__seq`: `fbclass_ordered_idx__vec[c]`
 * (the original's own map), else c's position in the few-class set as pickled (the order the original
 * built the sources in).
 */
function sourcePositions(r: FieldReader, root: PyDict, fewClasses: number[], nClasses: number): (c: number) => number {
  const idx = root.get('fbclass_ordered_idx__vec');
  if (idx !== undefined && idx !== null) {
    const positions = r.vector(idx, 'fbclass_ordered_idx__vec');
    if (positions.length !== nClasses)
      r.fail('fbclass_ordered_idx__vec', `expected ${nClasses} entries, found ${positions.length}`);
    return (c) => {
      const j = positions[c];
      if (j >= fewClasses.length) r.fail('fbclass_ordered_idx__vec', `few class ${c} maps to base position ${j}`);
      return j;
    };
  }
  return (c) => fewClasses.indexOf(c);
}

/** The RunResult of an original `--save-file` (train or baseline). */
export function originalResultToRunResult(value: PyValue, file: string): RunResult {
  return importOriginalResult(value, file).result;
}

/** The RunResult of an original `baseline_eval_file` (a TrainResult in dummy mode); errors on a training result. */
export function originalBaselineToRunResult(value: PyValue, file: string): RunResult {
  const { result } = importOriginalResult(value, file);
  if (result.kind !== 'baseline') {
    throw new FileFormatError(file, 'is a training result, not a baseline file (its AlphaNet is not in dummy mode)');
  }
  return result;
}
