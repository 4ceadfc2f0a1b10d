import { describe, expect, it } from 'vitest';
import type { EpochRecord } from './result.ts';
import { epochScalars, metricScalars } from './scalars.ts';

/** Epoch 3 of a run with k = 3 and three batches. */
const EPOCH_3: EpochRecord = {
  epoch: 3,
  lr: 0.001,
  mean_loss: 0.6,
  batch_losses: [0.7, 0.6, 0.5],
  alpha_mean: [1, 0.1, 0.2, 0.3],
  alpha_min: [1, -0.4, -0.3, -0.2],
  alpha_max: [1, 0.6, 0.7, 0.8],
  n_train_per_split: { many: 18, medium: 33, few: 103 },
  val: { accuracy: 0.5, top5: 0.8, f1: 0.4, per_split: { many: 0.6, medium: 0.5, few: 0.3, overall: 0.5 } },
  val_per_class: null,
  wall_time: 1_700_000_003,
};

describe('epoch scalars', () => {
  it("use the original's tag names, iteration steps for batch_loss and epoch steps otherwise", () => {
    const rec = EPOCH_3;
    const scalars = epochScalars(rec, 6);
    const batch = scalars.filter((s) => s.tag === 'batch_loss');
    expect(batch.map((s) => s.step)).toEqual([7, 8, 9]);
    expect(batch.map((s) => s.value)).toEqual(rec.batch_losses);
    const tags = scalars.filter((s) => s.tag !== 'batch_loss').map((s) => s.tag);
    expect(tags).toEqual([
      'epoch_loss',
      'lr',
      'alphas/mean/1',
      'alphas/mean/2',
      'alphas/mean/3',
      'alphas/min/1',
      'alphas/min/2',
      'alphas/min/3',
      'alphas/max/1',
      'alphas/max/2',
      'alphas/max/3',
      'validation/accuracy',
      'validation/top-5 accuracy',
      'validation/f1',
      'validation/per_split_acc/many',
      'validation/per_split_acc/medium',
      'validation/per_split_acc/few',
      'validation/per_split_acc/overall',
    ]);
    expect(scalars.filter((s) => s.tag !== 'batch_loss').every((s) => s.step === 3)).toBe(true);
  });

  it('leave out unknown values instead of storing NaN', () => {
    const rec = { ...EPOCH_3, lr: Number.NaN };
    expect(epochScalars(rec, 0).some((s) => s.tag === 'lr')).toBe(false);
    const metrics = {
      accuracy: 0.5,
      top5: Number.NaN,
      f1: Number.NaN,
      per_split: { many: 1, medium: 0.5, few: 0, overall: 0.5 },
    };
    expect(metricScalars('test', metrics, 4).map((s) => s.tag)).toEqual([
      'test/accuracy',
      'test/per_split_acc/many',
      'test/per_split_acc/medium',
      'test/per_split_acc/few',
      'test/per_split_acc/overall',
    ]);
  });
});
