/** Evaluation of the (possibly dummy) AlphaNet classifier on one datagrp from its raw scores. */
import type { SplitName } from '../../src-shared/dataset.ts';
import type { EvalResult } from '../../src-shared/result.ts';
import { evaluatePredictions, TOP_K, topIndices } from './metrics.ts';
import type { AlphaProblem } from './model.ts';

export interface Evaluation {
  result: EvalResult;
  /** n × width best classes per sample, best first (width = min(5, C)). */
  top: Int32Array;
  width: number;
}

/** Per sample, its best base-class logits (few classes excluded), best first: they never change in a run. */
interface BaseTop {
  width: number;
  idx: Int32Array;
  val: Float64Array;
}

/** Base tops per scores array, then per bias array and (few set, pred scale): shared by every epoch and run. */
const baseTops = new WeakMap<Float32Array, WeakMap<Float32Array, Map<string, BaseTop>>>();

/** Whether (v, i) ranks above (w, j): larger value, ties to the lower class id (as topIndices). */
function above(v: number, i: number, w: number, j: number): boolean {
  return v > w || (v === w && i < j);
}

function baseTopOf(problem: AlphaProblem, scores: Float32Array, n: number, predScale: number, width: number): BaseTop {
  const { nClasses: C, bias, few } = problem;
  let byBias = baseTops.get(scores);
  if (!byBias) baseTops.set(scores, (byBias = new WeakMap()));
  let byKey = byBias.get(bias);
  if (!byKey) byBias.set(bias, (byKey = new Map()));
  const key = `${predScale}|${width}|${few.join(',')}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const isFew = new Uint8Array(C);
  for (const c of few) isFew[c] = 1;
  const w = Math.min(width, C - few.length);
  const idx = new Int32Array(n * w);
  const val = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    const o = r * C;
    const at = r * w;
    let filled = 0;
    for (let c = 0; c < C; c++) {
      if (isFew[c]) continue;
      // The same float64 operations as fastLogits, so values (and ties) are identical.
      let v = scores[o + c] + bias[c];
      if (predScale !== 1) v *= predScale;
      let pos = filled;
      while (pos > 0 && v > val[at + pos - 1]) pos--;
      if (pos >= w) continue;
      for (let j = Math.min(filled, w - 1); j > pos; j--) {
        idx[at + j] = idx[at + j - 1];
        val[at + j] = val[at + j - 1];
      }
      idx[at + pos] = c;
      val[at + pos] = v;
      if (filled < w) filled++;
    }
  }
  const top = { width: w, idx, val };
  byKey.set(key, top);
  return top;
}

/**
 * Per sample and few class i, the largest |raw score| of i's neighbours (n × F): with it one evaluation
 * after another skips most few-class logits (see evaluateScores). Independent of α, so computed once
 * per run for a datagrp evaluated every epoch.
 */
export function neighborBounds(problem: AlphaProblem, scores: Float32Array, n: number): Float32Array {
  const { nClasses: C, few, neighbors } = problem;
  const F = few.length;
  const out = new Float32Array(n * F);
  for (let r = 0; r < n; r++) {
    const o = r * C;
    for (let i = 0; i < F; i++) {
      let m = 0;
      for (const c of neighbors[i]) m = Math.max(m, Math.abs(scores[o + c]));
      out[r * F + i] = m;
    }
  }
  return out;
}

/** Relative slack on the skip test: far above float64 rounding in the logit's few additions. */
const BOUND_SLACK = 1e-9;

/**
 * Evaluation from the pretrained scores; `tilde` null = dummy mode (α = [1, 0, …, 0]): the pretrained
 * classifier. Base-class logits do not depend on α, so each sample's best base classes are found once
 * (per scores array, cached) and every later evaluation computes only the F few-class logits (O(F·k))
 * and merges them in: the same top-5 as ranking all C logits of fastLogits, ties included.
 *
 * With `bounds` (neighborBounds of these scores) a few-class logit that cannot reach the sample's
 * fifth-best base logit is skipped unread: its α-part Σ ã_j·R_j is at most max|R_j|·Σ|ã_j|. At
 * ImageNet-LT scale that skips about 98 % of them; the top-5 are the same.
 */
export function evaluateScores(
  problem: AlphaProblem,
  tilde: Float32Array | null,
  scores: Float32Array,
  labels: Int32Array,
  splitOf: readonly SplitName[],
  predScale: number,
  bounds: Float32Array | null = null,
): Evaluation {
  const n = labels.length;
  const { nClasses: C, few, neighbors, k, bias } = problem;
  const F = few.length;
  const width = Math.min(TOP_K, C);
  const base = baseTopOf(problem, scores, n, predScale, width);
  const top = new Int32Array(n * width);
  const topVal = new Float64Array(width);
  // Σ_j |ã_ij| per few class, when the skip test applies (a positive scale keeps the order).
  const skip = tilde !== null && bounds !== null && predScale > 0 && base.width === width;
  const l1 = new Float64Array(skip ? F : 0);
  if (skip) for (let i = 0; i < F; i++) for (let j = 0; j < k; j++) l1[i] += Math.abs(tilde[i * k + j]);
  for (let r = 0; r < n; r++) {
    const o = r * C;
    const at = r * width;
    let filled = base.width;
    for (let j = 0; j < filled; j++) {
      top[at + j] = base.idx[r * base.width + j];
      topVal[j] = base.val[r * base.width + j];
    }
    // The fifth-best base logit: merged few logits only raise the fifth place, so below it is out.
    const fifth = topVal[width - 1];
    for (let i = 0; i < F; i++) {
      const c = few[i];
      let v = scores[o + c] + bias[c];
      if (skip) {
        const reach = (v + (bounds as Float32Array)[r * F + i] * l1[i]) * predScale;
        if (reach + BOUND_SLACK * (Math.abs(reach) + Math.abs(fifth)) < fifth) continue;
      }
      if (tilde) {
        let acc = 0;
        const nb = neighbors[i];
        for (let j = 0; j < k; j++) acc += tilde[i * k + j] * scores[o + nb[j]];
        v += acc;
      }
      if (predScale !== 1) v *= predScale;
      let pos = filled;
      while (pos > 0 && above(v, c, topVal[pos - 1], top[at + pos - 1])) pos--;
      if (pos >= width) continue;
      for (let j = Math.min(filled, width - 1); j > pos; j--) {
        top[at + j] = top[at + j - 1];
        topVal[j] = topVal[j - 1];
      }
      top[at + pos] = c;
      topVal[pos] = v;
      if (filled < width) filled++;
    }
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
