/**
 * The scalars a run records, under the original's TensorBoard tag names (spec §5), so the curves view
 * and a TensorBoard export read the same series. Per-coefficient α statistics, which the original logs
 * as one chart per statistic with a line per coefficient, become tags `alphas/<stat>/<i>` for
 * i = 1..k (coefficient 0 is fixed at 1 and not recorded).
 */
import type { EpochRecord, EvalMetrics } from './result.ts';
import { SPLITS } from './dataset.ts';

export interface Scalar {
  tag: string;
  step: number;
  value: number;
}

export const TAG = {
  batchLoss: 'batch_loss',
  epochLoss: 'epoch_loss',
  lr: 'lr',
} as const;

/** `validation/…` or `test/…` scalars of one evaluation. */
export function metricScalars(prefix: 'validation' | 'test', metrics: EvalMetrics, step: number): Scalar[] {
  const out: Scalar[] = [
    { tag: `${prefix}/accuracy`, step, value: metrics.accuracy },
    { tag: `${prefix}/top-5 accuracy`, step, value: metrics.top5 },
    { tag: `${prefix}/f1`, step, value: metrics.f1 },
  ];
  for (const split of [...SPLITS, 'overall' as const]) {
    out.push({ tag: `${prefix}/per_split_acc/${split}`, step, value: metrics.per_split[split] });
  }
  return out.filter((s) => Number.isFinite(s.value));
}

/**
 * Every scalar of one epoch. `firstIteration` is the number of batches of all earlier epochs, so
 * `batch_loss` steps count iterations from 1 across the run, as ignite's do; per-epoch tags use the
 * 1-based epoch as step. Unknown (non-finite) values are left out rather than stored as NaN.
 */
export function epochScalars(rec: EpochRecord, firstIteration: number): Scalar[] {
  const out: Scalar[] = rec.batch_losses.map((value, i) => ({
    tag: TAG.batchLoss,
    step: firstIteration + i + 1,
    value,
  }));
  out.push(
    { tag: TAG.epochLoss, step: rec.epoch, value: rec.mean_loss },
    { tag: TAG.lr, step: rec.epoch, value: rec.lr },
  );
  const stats = { mean: rec.alpha_mean, min: rec.alpha_min, max: rec.alpha_max };
  for (const [name, values] of Object.entries(stats)) {
    for (let i = 1; i < values.length; i++) out.push({ tag: `alphas/${name}/${i}`, step: rec.epoch, value: values[i] });
  }
  if (rec.val) out.push(...metricScalars('validation', rec.val, rec.epoch));
  return out.filter((s) => Number.isFinite(s.value));
}
