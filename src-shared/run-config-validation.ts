/**
 * The rules of a run's settings, in one place: which samplers, optimisers, schedulers, activations and
 * values a RunConfig may hold (validateRunConfig), and the checks that need its dataset's facts
 * (validateForDataset). The launch form shows each problem beside its field, the API refuses the same
 * config with the same reasons, the CLI and the engine (before any work) run the same functions.
 */
import { unknownActivationMessage } from './activations.ts';
import { checkParam, OPTIMIZER_TABLE, optimizerParamsProblem, SCHEDULER_TABLE, type ParamKind } from './optimizers.ts';
import {
  ACTIVATIONS,
  LR_SCHEDULERS,
  NN_DISTS,
  OPTIMIZERS,
  SELECTION_RULES,
  type KeyValues,
  type RunConfig,
} from './config.ts';
import type { SplitName } from './dataset.ts';

export interface FieldError {
  /** Dotted path of the field, e.g. `training.train_epochs` or `training.sampler_args.1.r`. */
  path: string;
  message: string;
}

/** The samplers of spec §4; the `All*` ones take no arguments, the others take `r`. */
export const SAMPLER_CLASSES = [
  'AllFewSampler',
  'AllManySampler',
  'AllMediumSampler',
  'AllBaseSampler',
  'ClassBalancedManySampler',
  'ClassBalancedMediumSampler',
  'ClassBalancedBaseSampler',
  'UniformManyImageSampler',
  'UniformMediumImageSampler',
  'UniformBaseImageSampler',
  'UniformManyClassSampler',
  'UniformMediumClassSampler',
  'UniformBaseClassSampler',
] as const;
export type SamplerClass = (typeof SAMPLER_CLASSES)[number];

export function isSamplerClass(name: string): name is SamplerClass {
  return (SAMPLER_CLASSES as readonly string[]).includes(name);
}

/** The classes a sampler draws from: `base` = many ∪ medium. */
export type SamplerSplit = SplitName | 'base';

export function samplerSplit(name: SamplerClass): SamplerSplit {
  const m = /^(?:All|ClassBalanced|Uniform)(Few|Many|Medium|Base)/.exec(name);
  return (m ? m[1].toLowerCase() : 'base') as SamplerSplit;
}

/** PyTorch's parameter names for each optimiser and scheduler (from their tables), with what each value must be. */
export const OPTIMIZER_PARAMS: Record<string, Record<string, ParamKind>> = kindsOf(OPTIMIZER_TABLE);
export const SCHEDULER_PARAMS: Record<string, Record<string, ParamKind>> = kindsOf(SCHEDULER_TABLE);
/** Every sampler accepts `r` (one argument set may apply to all; the `All*` samplers ignore it); default 1. */
export const SAMPLER_PARAMS: Record<string, ParamKind> = { r: 'positive' };

/** The widest hidden layer: a typo (`320000`) should fail here, not as an allocation in the worker. */
export const MAX_HIDDEN_SIZE = 4096;

function kindsOf(
  table: Record<string, { params: Record<string, { kind: ParamKind }> }>,
): Record<string, Record<string, ParamKind>> {
  return Object.fromEntries(
    Object.entries(table).map(([name, { params }]) => [
      name,
      Object.fromEntries(Object.entries(params).map(([key, spec]) => [key, spec.kind])),
    ]),
  );
}

function checkKeyValues(
  values: KeyValues,
  allowed: Record<string, ParamKind>,
  owner: string,
  path: string,
  errors: FieldError[],
): void {
  for (const [key, raw] of Object.entries(values)) {
    const kind = allowed[key];
    if (!kind) {
      const known = Object.keys(allowed);
      errors.push({
        path: `${path}.${key}`,
        message: known.length
          ? `${owner} has no parameter '${key}' (known: ${known.join(', ')})`
          : `${owner} takes no parameters`,
      });
      continue;
    }
    const problem = checkParam(kind, raw);
    if (problem) errors.push({ path: `${path}.${key}`, message: `${key}: ${problem}` });
  }
}

function wholeAtLeast(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min;
}

/** Why `k` neighbours per few class cannot be taken from `nBase` base classes (of dataset `key`), or null. */
export function neighborCountProblem(k: number, nBase: number, key?: string): string | null {
  if (!wholeAtLeast(k, 1)) return 'must be a whole number ≥ 1';
  if (k >= nBase)
    return `must be less than the number of base classes${key === undefined ? '' : ` of '${key}'`} (${nBase})`;
  return null;
}

/** Every problem of a config; an empty list means it can be queued. */
export function validateRunConfig(config: RunConfig): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });
  const t = config.training;
  if (config.dataset.trim() === '') add('dataset', 'pick a dataset');
  if (config.alphanet.hdims.length === 0) add('alphanet.hdims', 'give at least one hidden layer size');
  config.alphanet.hdims.forEach((h, i) => {
    if (!wholeAtLeast(h, 1) || h > MAX_HIDDEN_SIZE)
      add(`alphanet.hdims.${i}`, `hidden size ${h} must be a whole number from 1 to ${MAX_HIDDEN_SIZE}`);
  });
  if (!ACTIVATIONS.includes(config.alphanet.hact)) add('alphanet.hact', unknownActivationMessage(config.alphanet.hact));
  const k = neighborCountProblem(t.n_neighbors, Number.POSITIVE_INFINITY);
  if (k) add('training.n_neighbors', k);
  if (!NN_DISTS.includes(t.nn_dist)) add('training.nn_dist', `unknown distance '${t.nn_dist}'`);
  if (!OPTIMIZERS.includes(t.optim_cls)) add('training.optim_cls', `unknown optimiser '${t.optim_cls}'`);
  else {
    const before = errors.length;
    checkKeyValues(t.optim_params, OPTIMIZER_PARAMS[t.optim_cls], t.optim_cls, 'training.optim_params', errors);
    const together = errors.length === before ? optimizerParamsProblem(t.optim_cls, t.optim_params) : null;
    if (together) add('training.optim_params', `${t.optim_cls}: ${together}`);
  }
  if (t.lr_sched_cls === null) {
    if (Object.keys(t.lr_sched_params).length > 0) add('training.lr_sched_params', 'no scheduler is chosen');
  } else if (!LR_SCHEDULERS.includes(t.lr_sched_cls))
    add('training.lr_sched_cls', `unknown scheduler '${t.lr_sched_cls}'`);
  else {
    checkKeyValues(
      t.lr_sched_params,
      SCHEDULER_PARAMS[t.lr_sched_cls],
      t.lr_sched_cls,
      'training.lr_sched_params',
      errors,
    );
    for (const [key, spec] of Object.entries(SCHEDULER_TABLE[t.lr_sched_cls].params)) {
      if (spec.default === null && t.lr_sched_params[key] === undefined)
        add('training.lr_sched_params', `${t.lr_sched_cls} needs ${key}=…`);
    }
  }
  if (!wholeAtLeast(t.train_epochs, 1)) add('training.train_epochs', 'must be a whole number ≥ 1');
  if (!wholeAtLeast(t.min_epochs, 1)) add('training.min_epochs', 'must be a whole number ≥ 1');
  else if (wholeAtLeast(t.train_epochs, 1) && t.min_epochs > t.train_epochs) {
    add('training.min_epochs', `must not exceed train_epochs (${t.train_epochs})`);
  }
  if (!wholeAtLeast(t.train_batch_size, 1)) add('training.train_batch_size', 'must be a whole number ≥ 1');
  if (!wholeAtLeast(t.eval_batch_size, 1)) add('training.eval_batch_size', 'must be a whole number ≥ 1');
  if (t.sampler_classes.length === 0) add('training.sampler_classes', 'choose at least one sampler');
  t.sampler_classes.forEach((name, i) => {
    if (!isSamplerClass(name)) add(`training.sampler_classes.${i}`, `unknown sampler '${name}'`);
  });
  if (t.sampler_args.length !== 1 && t.sampler_args.length !== t.sampler_classes.length) {
    add(
      'training.sampler_args',
      `give one argument set for all samplers or one per sampler (${t.sampler_classes.length})`,
    );
  }
  t.sampler_args.forEach((args, i) => {
    const owner = t.sampler_args.length === 1 ? 'every sampler' : (t.sampler_classes[i] ?? 'sampler');
    checkKeyValues(args, SAMPLER_PARAMS, owner, `training.sampler_args.${i}`, errors);
  });
  if (!(Number.isFinite(t.pred_scale) && t.pred_scale > 0)) add('training.pred_scale', 'must be a number > 0');
  if (t.train_datagrp.trim() === '') add('training.train_datagrp', 'name the training datagrp');
  if (t.test_datagrp.trim() === '') add('training.test_datagrp', 'name the test datagrp');
  if (t.val_datagrp !== null && t.val_datagrp.trim() === '')
    add('training.val_datagrp', 'name a datagrp or leave it off');
  if (!SELECTION_RULES.includes(t.selection)) add('training.selection', `unknown selection rule '${t.selection}'`);
  return errors;
}

/** What the checks of a config against its dataset need (known without loading features). */
export interface DatasetFacts {
  key: string;
  /** Classes per split: many + medium are the neighbours a few class can have. */
  splitClasses: Record<SplitName, number>;
  datagrps: readonly string[];
}

export function datasetFacts(
  key: string,
  splits: Record<SplitName, readonly number[]>,
  datagrps: readonly string[],
): DatasetFacts {
  return {
    key,
    splitClasses: { many: splits.many.length, medium: splits.medium.length, few: splits.few.length },
    datagrps,
  };
}

/** The checks of a config that need its dataset's facts; paths as validateRunConfig's. */
export function validateForDataset(config: RunConfig, facts: DatasetFacts): FieldError[] {
  const errors: FieldError[] = [];
  const t = config.training;
  const { many, medium, few } = facts.splitClasses;
  const nBase = many + medium;
  if (few === 0) errors.push({ path: 'dataset', message: `dataset '${facts.key}' has no few-split classes to train` });
  const k =
    Number.isInteger(t.n_neighbors) && t.n_neighbors >= 1
      ? neighborCountProblem(t.n_neighbors, nBase, facts.key)
      : null;
  if (k) errors.push({ path: 'training.n_neighbors', message: k });
  const grps: [string, string | null][] = [
    ['training.train_datagrp', t.train_datagrp],
    ['training.val_datagrp', t.val_datagrp],
    ['training.test_datagrp', t.test_datagrp],
  ];
  for (const [path, grp] of grps) {
    if (grp !== null && grp.trim() !== '' && !facts.datagrps.includes(grp)) {
      const none = path === 'training.val_datagrp' ? '; leave it empty to train without validation' : '';
      errors.push({
        path,
        message: `dataset '${facts.key}' has no datagrp '${grp}' (it has ${facts.datagrps.join(', ')})${none}`,
      });
    }
  }
  t.sampler_classes.forEach((name, i) => {
    if (!isSamplerClass(name)) return;
    const split = samplerSplit(name);
    const nSplit = split === 'base' ? nBase : facts.splitClasses[split];
    if (name.startsWith('All')) return;
    if (nSplit === 0) {
      errors.push({ path: `training.sampler_classes.${i}`, message: `${name}: the '${split}' split has no classes` });
      return;
    }
    if (!name.endsWith('ClassSampler')) return;
    // Uniform*ClassSampler: int(#few classes · r) classes, each of a distinct few class's size.
    const raw = (t.sampler_args.length === 1 ? t.sampler_args[0] : t.sampler_args[i])?.r;
    const r = raw === undefined ? 1 : Number(raw);
    const nClasses = Math.trunc(few * r);
    if (Number.isFinite(r) && r > 0 && (nClasses > nSplit || nClasses > few)) {
      errors.push({
        path: `training.sampler_args.${t.sampler_args.length === 1 ? 0 : i}.r`,
        message: `${name}: r=${raw ?? 1} asks for ${nClasses} classes, but there are ${nSplit} '${split}' and ${few} few classes`,
      });
    }
  });
  return errors;
}
