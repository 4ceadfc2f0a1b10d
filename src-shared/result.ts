import type { Activation, NNDist, RunConfig, SelectionRule } from './config.ts';
import type { SplitName } from './dataset.ts';

/** Metrics of one evaluation on one datagrp; every accuracy is a fraction in [0, 1]. */
export interface EvalMetrics {
  accuracy: number;
  top5: number;
  /** Macro F1 over classes (ignite `Fbeta(1)`). */
  f1: number;
  /** Accuracy over the samples whose true label is in each split; `overall` equals `accuracy`. */
  per_split: Record<SplitName | 'overall', number>;
}

export interface EvalResult extends EvalMetrics {
  /** per_class[c] = accuracy of class c (NaN → null in JSON when a class has no samples). */
  per_class: (number | null)[];
  /** Samples per class in the evaluated datagrp (so correct counts are recoverable exactly). */
  per_class_total: number[];
}

export interface EpochRecord {
  /** 1-based, as ignite counts. */
  epoch: number;
  lr: number;
  mean_loss: number;
  batch_losses: number[];
  /** Over few classes, for each coefficient index 0..k (index 0 is the fixed 1). */
  alpha_mean: number[];
  alpha_min: number[];
  alpha_max: number[];
  n_train_per_split: Record<SplitName, number>;
  val: EvalMetrics | null;
  /** Per-class val accuracies (null entries for classes without samples). */
  val_per_class: (number | null)[] | null;
  wall_time: number;
}

export type RunKind = 'train' | 'baseline';

/** Learned combination of one few class: neighbours nearest first, alpha = [1, ã_1, …, ã_k]. */
export interface AlphaEntry {
  neighbors: number[];
  alpha: number[];
}

/** What `--save-file` writes and `export-run` prints. */
export interface RunResult {
  kind: RunKind;
  dataset: string;
  config: RunConfig;
  seed: number;
  backend: string;
  app_version: string;
  selection: SelectionRule;
  epochs: EpochRecord[];
  /** 1-based epoch whose state was evaluated on test; null for a baseline. */
  best_epoch: number | null;
  val: EvalResult | null;
  test: EvalResult;
  alphas: Record<string, AlphaEntry>;
  /** Every datagrp evaluated, by name (a baseline evaluates them all; a training run: val and test). */
  evals?: Record<string, EvalResult>;
  /** The selected network, so `alphanet eval --weights` can reuse a `--save-file`; null for a baseline. */
  network?: SavedNetwork | null;
}

/**
 * A trained AlphaNet network, self-contained: the neighbour lists it was trained with and the MLP's
 * parameters (layer l: weight out×in row-major, then bias). Layer 0 reads the flattened (k+1)·d source
 * matrix [w_c, w_n1, …, w_nk].
 */
export interface SavedNetwork {
  format: 'alphanet-network';
  version: 1;
  dim: number;
  n_neighbors: number;
  nn_dist: NNDist;
  hdims: number[];
  hact: Activation;
  /** Few classes ascending, and each one's neighbours, nearest first. */
  few: number[];
  neighbors: number[][];
  /** [W1, b1, W2, b2, …] as float32 values. */
  params: number[][];
}
