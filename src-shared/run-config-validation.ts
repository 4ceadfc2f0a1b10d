/**
 * Checks a RunConfig field by field before anything is queued, so the launch form can show each
 * problem beside its field and the API can refuse the same config with the same reasons.
 */
import { unknownActivationMessage } from './activations.ts';
import { checkParam, OPTIMIZER_TABLE, type ParamKind } from './optimizers.ts';
import {
  ACTIVATIONS,
  LR_SCHEDULERS,
  NN_DISTS,
  OPTIMIZERS,
  SELECTION_RULES,
  type KeyValues,
  type RunConfig,
} from './config.ts';

export interface FieldError {
  /** Dotted path of the field, e.g. `training.train_epochs` or `training.sampler_args.1.r`. */
  path: string;
  message: string;
}

const SPLIT_WORDS = ['Many', 'Medium', 'Base'] as const;
/** The samplers of spec §4; the `All*` ones take no arguments, the others take `r`. */
export const SAMPLER_CLASSES: readonly string[] = [
  'AllFewSampler',
  'AllManySampler',
  'AllMediumSampler',
  'AllBaseSampler',
  ...SPLIT_WORDS.map((s) => `ClassBalanced${s}Sampler`),
  ...SPLIT_WORDS.map((s) => `Uniform${s}ImageSampler`),
  ...SPLIT_WORDS.map((s) => `Uniform${s}ClassSampler`),
];

/** PyTorch's parameter names for each optimiser (from the optimiser table) and scheduler, with what each value must be. */
export const OPTIMIZER_PARAMS: Record<string, Record<string, ParamKind>> = Object.fromEntries(
  Object.entries(OPTIMIZER_TABLE).map(([name, { params }]) => [name, Object.fromEntries(Object.entries(params).map(([key, spec]) => [key, spec.kind]))]),
);
export const SCHEDULER_PARAMS: Record<string, Record<string, ParamKind>> = {
  StepLR: { step_size: 'integer', gamma: 'positive' },
  MultiStepLR: { milestones: 'integers', gamma: 'positive' },
  ExponentialLR: { gamma: 'positive' },
  CosineAnnealingLR: { T_max: 'integer', eta_min: 'nonneg' },
};
/** Every sampler accepts `r` (one argument set may apply to all; the `All*` samplers ignore it). */
const SAMPLER_PARAMS: Record<string, ParamKind> = { r: 'positive' };
/** Scheduler parameters PyTorch has no default for. */
const REQUIRED_SCHEDULER_PARAMS: Record<string, string[]> = {
  StepLR: ['step_size'],
  MultiStepLR: ['milestones'],
  ExponentialLR: ['gamma'],
  CosineAnnealingLR: ['T_max'],
};

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

/** Every problem of a config; an empty list means it can be queued. */
export function validateRunConfig(config: RunConfig): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });
  const t = config.training;
  if (config.dataset.trim() === '') add('dataset', 'pick a dataset');
  config.alphanet.hdims.forEach((h, i) => {
    if (!wholeAtLeast(h, 1)) add(`alphanet.hdims.${i}`, `hidden size ${h} must be a whole number ≥ 1`);
  });
  if (!ACTIVATIONS.includes(config.alphanet.hact)) add('alphanet.hact', unknownActivationMessage(config.alphanet.hact));
  if (!wholeAtLeast(t.n_neighbors, 1)) add('training.n_neighbors', 'must be a whole number ≥ 1');
  if (!NN_DISTS.includes(t.nn_dist)) add('training.nn_dist', `unknown distance '${t.nn_dist}'`);
  if (!OPTIMIZERS.includes(t.optim_cls)) add('training.optim_cls', `unknown optimiser '${t.optim_cls}'`);
  else checkKeyValues(t.optim_params, OPTIMIZER_PARAMS[t.optim_cls], t.optim_cls, 'training.optim_params', errors);
  if (t.lr_sched_cls === null) {
    if (Object.keys(t.lr_sched_params).length > 0) add('training.lr_sched_params', 'no scheduler is chosen');
  } else if (!LR_SCHEDULERS.includes(t.lr_sched_cls)) add('training.lr_sched_cls', `unknown scheduler '${t.lr_sched_cls}'`);
  else {
    checkKeyValues(t.lr_sched_params, SCHEDULER_PARAMS[t.lr_sched_cls], t.lr_sched_cls, 'training.lr_sched_params', errors);
    for (const key of REQUIRED_SCHEDULER_PARAMS[t.lr_sched_cls]) {
      if (t.lr_sched_params[key] === undefined) add('training.lr_sched_params', `${t.lr_sched_cls} needs ${key}=…`);
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
    if (!SAMPLER_CLASSES.includes(name)) add(`training.sampler_classes.${i}`, `unknown sampler '${name}'`);
  });
  if (t.sampler_args.length !== 1 && t.sampler_args.length !== t.sampler_classes.length) {
    add('training.sampler_args', `give one argument set for all samplers or one per sampler (${t.sampler_classes.length})`);
  }
  t.sampler_args.forEach((args, i) => {
    const owner = t.sampler_args.length === 1 ? 'every sampler' : (t.sampler_classes[i] ?? 'sampler');
    checkKeyValues(args, SAMPLER_PARAMS, owner, `training.sampler_args.${i}`, errors);
  });
  if (!(Number.isFinite(t.pred_scale) && t.pred_scale > 0)) add('training.pred_scale', 'must be a number > 0');
  if (t.train_datagrp.trim() === '') add('training.train_datagrp', 'name the training datagrp');
  if (t.test_datagrp.trim() === '') add('training.test_datagrp', 'name the test datagrp');
  if (t.val_datagrp !== null && t.val_datagrp.trim() === '') add('training.val_datagrp', 'name a datagrp or leave it off');
  if (!SELECTION_RULES.includes(t.selection)) add('training.selection', `unknown selection rule '${t.selection}'`);
  return errors;
}
