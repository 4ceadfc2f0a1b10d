/**
 * A training run's configuration, named as the original's CLI names it (`--training:n-neighbors` →
 * `training.n_neighbors`), with the original's defaults. Shared by the CLI, the engine, the store
 * and the launch form.
 */
import { ACTIVATION_NAMES, type Activation } from './activations.ts';
import { LR_SCHEDULER_NAMES, OPTIMIZER_NAMES, type LrSchedulerName, type OptimizerName } from './optimizers.ts';

export type { Activation, LrSchedulerName, OptimizerName };
export const ACTIVATIONS: readonly Activation[] = ACTIVATION_NAMES;

export type NNDist = 'euclidean' | 'cosine' | 'random';
export const NN_DISTS: readonly NNDist[] = ['euclidean', 'cosine', 'random'];

export const OPTIMIZERS: readonly OptimizerName[] = OPTIMIZER_NAMES;

export const LR_SCHEDULERS: readonly LrSchedulerName[] = LR_SCHEDULER_NAMES;

/**
 * How the kept epoch is chosen. `best-val`: the epoch ≥ min_epochs with the strictly best val accuracy
 * (what the original intended). `min-epochs`: always epoch min_epochs (what the original actually does,
 * through its aliasing quirk; spec §4), to reproduce published numbers. Without a val set: the last epoch.
 */
export type SelectionRule = 'best-val' | 'min-epochs';
export const SELECTION_RULES: readonly SelectionRule[] = ['best-val', 'min-epochs'];

/** `key=value` parameters as the original's KeyValuePairs; values stay strings until a consumer parses them. */
export type KeyValues = Record<string, string>;

export interface AlphaNetConfig {
  hdims: number[];
  hact: Activation;
}

export interface TrainingConfig {
  n_neighbors: number;
  nn_dist: NNDist;
  optim_cls: OptimizerName;
  optim_params: KeyValues;
  lr_sched_cls: LrSchedulerName | null;
  lr_sched_params: KeyValues;
  train_epochs: number;
  min_epochs: number;
  train_batch_size: number;
  eval_batch_size: number;
  sampler_classes: string[];
  /** One entry per sampler, or a single entry that applies to all. */
  sampler_args: KeyValues[];
  pred_scale: number;
  train_datagrp: string;
  val_datagrp: string | null;
  test_datagrp: string;
  selection: SelectionRule;
  tb_logs: string | null;
}

export interface RunConfig {
  dataset: string;
  alphanet: AlphaNetConfig;
  training: TrainingConfig;
}

export const DEFAULT_ALPHANET: AlphaNetConfig = { hdims: [32, 32, 32], hact: 'leaky_relu' };

export const DEFAULT_TRAINING: TrainingConfig = {
  n_neighbors: 5,
  nn_dist: 'euclidean',
  optim_cls: 'AdamW',
  optim_params: { lr: '0.001' },
  lr_sched_cls: 'StepLR',
  lr_sched_params: { step_size: '10', gamma: '0.1' },
  train_epochs: 25,
  min_epochs: 5,
  train_batch_size: 64,
  eval_batch_size: 1024,
  sampler_classes: ['AllFewSampler', 'ClassBalancedBaseSampler'],
  sampler_args: [{}, { r: '0.1' }],
  pred_scale: 1,
  train_datagrp: 'train',
  val_datagrp: 'val',
  test_datagrp: 'test',
  selection: 'best-val',
  tb_logs: null,
};

export function defaultRunConfig(dataset: string): RunConfig {
  return {
    dataset,
    alphanet: { ...DEFAULT_ALPHANET, hdims: [...DEFAULT_ALPHANET.hdims] },
    training: structuredClone(DEFAULT_TRAINING),
  };
}

/**
 * Parses `key=value` pairs as the CLI and the launch form take them: pairs separated by spaces or by
 * commas (the original's corgy KeyValuePairs, `key=value,key=value`); `""` is no pairs. Commas inside
 * brackets or parentheses stay with their value, and a comma-separated part without `=` continues the
 * value before it, so tuples read `betas=(0.9,0.999)`, `betas=0.9,0.999` or `milestones=[5,10]`.
 * Throws Error with a message naming the bad item.
 */
export function parseKeyValues(text: string): KeyValues {
  const result: KeyValues = {};
  let last: string | null = null;
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    let depth = 0;
    let start = 0;
    const parts: string[] = [];
    for (let i = 0; i < word.length; i++) {
      const ch = word[i];
      if (ch === '[' || ch === '(') depth++;
      else if (ch === ']' || ch === ')') depth--;
      else if (ch === ',' && depth === 0) {
        parts.push(word.slice(start, i));
        start = i + 1;
      }
    }
    parts.push(word.slice(start));
    parts.forEach((part, i) => {
      const eq = part.indexOf('=');
      if (eq < 0 && i > 0 && last !== null) {
        result[last] += `,${part}`;
        return;
      }
      if (eq <= 0) throw new Error(`'${part}' is not key=value`);
      last = part.slice(0, eq);
      result[last] = part.slice(eq + 1);
    });
  }
  return result;
}

/** The text parseKeyValues reads back: pairs joined by `separator` (`,` as the original writes them). */
export function formatKeyValues(values: KeyValues, separator = ','): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(separator);
}
