import { describe, expect, it } from 'vitest';
import { evaluatePredictions, topIndices } from './metrics.ts';

describe('metrics', () => {
  it('ranks top-k largest first with ties to the lower index', () => {
    const out = new Int32Array(3);
    topIndices([0.1, 0.5, 0.5, 0.9, 0.2], 0, 5, 3, out, 0);
    expect(Array.from(out)).toEqual([3, 1, 2]);
  });

  it('computes accuracy, top-k, macro F1 over all classes and per-split/per-class accuracy', () => {
    // 3 classes; class 2 never occurs and is never predicted (F1 0, as ignite counts it).
    const labels = Int32Array.from([0, 0, 1, 1]);
    const top = Int32Array.from([0, 1, 1, 0, 1, 0, 0, 1]);
    const r = evaluatePredictions(top, 2, labels, 3, ['many', 'few', 'medium']);
    expect(r.accuracy).toBe(0.5);
    expect(r.top5).toBe(1);
    // Class 0: P = 1/2, R = 1/2 → 0.5; class 1: P = 1/2, R = 1/2 → 0.5; class 2: 0.
    expect(r.f1).toBeCloseTo(1 / 3, 12);
    expect(r.per_split.many).toBe(0.5);
    expect(r.per_split.few).toBe(0.5);
    expect(r.per_split.medium).toBeNaN();
    expect(r.per_class).toEqual([0.5, 0.5, null]);
    expect(r.per_class_total).toEqual([2, 2, 0]);
  });
});
