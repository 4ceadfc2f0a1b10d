/** Evaluation of the (possibly dummy) AlphaNet classifier on one datagrp from its raw scores. */
import type { SplitName } from '../../src-shared/dataset.ts';
import type { EvalResult } from '../../src-shared/result.ts';
import { evaluatePredictions, TOP_K, topIndices } from './metrics.ts';
import { fastLogits, type AlphaProblem } from './model.ts';

export interface Evaluation {
  result: EvalResult;
  /** n × width best classes per sample, best first (width = min(5, C)). */
  top: Int32Array;
  width: number;
}

/** `tilde` null = dummy mode (α = [1, 0, …, 0]): the pretrained classifier. */
export function evaluateScores(
  problem: AlphaProblem,
  tilde: Float32Array | null,
  scores: Float32Array,
  labels: Int32Array,
  splitOf: readonly SplitName[],
  predScale: number,
): Evaluation {
  const n = labels.length;
  const C = problem.nClasses;
  const width = Math.min(TOP_K, C);
  const top = new Int32Array(n * width);
  const logits = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    fastLogits(problem, tilde, scores, i, predScale, logits);
    topIndices(logits, 0, C, width, top, i * width);
  }
  return { result: evaluatePredictions(top, width, labels, C, splitOf), top, width };
}

/** The same from precomputed logits (n × C), for the exact reference path. */
export function evaluateLogits(
  logits: Float32Array,
  labels: Int32Array,
  nClasses: number,
  splitOf: readonly SplitName[],
): Evaluation {
  const n = labels.length;
  const width = Math.min(TOP_K, nClasses);
  const top = new Int32Array(n * width);
  for (let i = 0; i < n; i++) topIndices(logits, i * nClasses, nClasses, width, top, i * width);
  return { result: evaluatePredictions(top, width, labels, nClasses, splitOf), top, width };
}
