import { describe, expect, it } from 'vitest';
import { epochScalars, metricScalars } from './scalars.ts';
import { SMALL_SHAPE, syntheticEpoch } from '../store/test-records.ts';

describe('epoch scalars', () => {
  it("use the original's tag names, iteration steps for batch_loss and epoch steps otherwise", () => {
    const rec = syntheticEpoch(1, 3, SMALL_SHAPE);
    const scalars = epochScalars(rec, 6);
    const batch = scalars.filter((s) => s.tag === 'batch_loss');
    expect(batch.map((s) => s.step)).toEqual([7, 8, 9]);
    expect(batch.map((s) => s.value)).toEqual(rec.batch_losses);
    const tags = scalars.filter((s) => s.tag !== 'batch_loss').map((s) => s.tag);
    expect(tags).toEqual([
      'epoch_loss', 'lr',
      'alphas/mean/1', 'alphas/mean/2', 'alphas/mean/3',
      'alphas/min/1', 'alphas/min/2', 'alphas/min/3',
      'alphas/max/1', 'alphas/max/2', 'alphas/max/3',
      'validation/accuracy', 'validation/top-5 accuracy', 'validation/f1',
      'validation/per_split_acc/many', 'validation/per_split_acc/medium', 'validation/per_split_acc/few', 'validation/per_split_acc/overall',
    ]);
    expect(scalars.filter((s) => s.tag !== 'batch_loss').every((s) => s.step === 3)).toBe(true);
  });

  it('leave out unknown values instead of storing NaN', () => {
    const rec = { ...syntheticEpoch(1, 1, SMALL_SHAPE), lr: Number.NaN };
    expect(epochScalars(rec, 0).some((s) => s.tag === 'lr')).toBe(false);
    const metrics = { accuracy: 0.5, top5: Number.NaN, f1: Number.NaN, per_split: { many: 1, medium: 0.5, few: 0, overall: 0.5 } };
    expect(metricScalars('test', metrics, 4).map((s) => s.tag)).toEqual([
      'test/accuracy', 'test/per_split_acc/many', 'test/per_split_acc/medium', 'test/per_split_acc/few', 'test/per_split_acc/overall',
    ]);
  });
});
