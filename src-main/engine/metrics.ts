/**
 * Evaluation metrics (spec §5) from each sample's top-5 predicted classes, with pytorch-ignite's
 * semantics: Accuracy, TopKCategoricalAccuracy(5), Fbeta(1) macro-averaged over all classes.
 */
import type { EvalResult } from '../../src-shared/result.ts';
import type { SplitName } from '../../src-shared/dataset.ts';

export const TOP_K = 5;

/** ignite's epsilons: Precision/Recall add 1e-20 to the denominator, Fbeta 1e-15. */
const PR_EPS = 1e-20;
const FBETA_EPS = 1e-15;

/**
 * `top` holds, per sample, its `width` best classes, best first (width = min(5, C)). Accuracies in
 * [0, 1]; a split or class without samples gets NaN.
 */
export function evaluatePredictions(
  top: Int32Array,
  width: number,
  labels: Int32Array,
  nClasses: number,
  splitOf: readonly SplitName[],
): EvalResult {
  const n = labels.length;
  const classCorrect = new Float64Array(nClasses);
  const classTotal = new Float64Array(nClasses);
  const predicted = new Float64Array(nClasses);
  const splitCorrect: Record<SplitName, number> = { many: 0, medium: 0, few: 0 };
  const splitTotal: Record<SplitName, number> = { many: 0, medium: 0, few: 0 };
  let correct = 0;
  let correctTop = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const yhat = top[i * width];
    const hit = yhat === y ? 1 : 0;
    correct += hit;
    classCorrect[y] += hit;
    classTotal[y] += 1;
    predicted[yhat] += 1;
    const split = splitOf[y];
    splitCorrect[split] += hit;
    splitTotal[split] += 1;
    for (let j = 0; j < width; j++) {
      if (top[i * width + j] === y) {
        correctTop++;
        break;
      }
    }
  }
  let f1Sum = 0;
  for (let c = 0; c < nClasses; c++) {
    const precision = classCorrect[c] / (predicted[c] + PR_EPS);
    const recall = classCorrect[c] / (classTotal[c] + PR_EPS);
    f1Sum += (2 * precision * recall) / (precision + recall + FBETA_EPS);
  }
  const accuracy = correct / n;
  const perSplit = (s: SplitName): number => (splitTotal[s] > 0 ? splitCorrect[s] / splitTotal[s] : Number.NaN);
  return {
    accuracy,
    top5: correctTop / n,
    f1: f1Sum / nClasses,
    per_split: { many: perSplit('many'), medium: perSplit('medium'), few: perSplit('few'), overall: accuracy },
    per_class: Array.from(classCorrect, (c, i) => (classTotal[i] > 0 ? c / classTotal[i] : null)),
    per_class_total: Array.from(classTotal),
  };
}

/**
 * Writes the indices of the `width` largest of `scores[offset..offset+count)` into `out` at
 * `outOffset`, largest first, ties to the lower index (torch.argmax's choice for top-1).
 */
export function topIndices(
  scores: ArrayLike<number>,
  offset: number,
  count: number,
  width: number,
  out: Int32Array,
  outOffset: number,
): void {
  let filled = 0;
  for (let c = 0; c < count; c++) {
    const v = scores[offset + c];
    // Insertion into the short sorted list; strict > keeps the earlier index ahead on ties.
    let pos = filled;
    while (pos > 0 && v > scores[offset + out[outOffset + pos - 1]]) pos--;
    if (pos >= width) continue;
    const last = Math.min(filled, width - 1);
    for (let j = last; j > pos; j--) out[outOffset + j] = out[outOffset + j - 1];
    out[outOffset + pos] = c;
    if (filled < width) filled++;
  }
}
