import { describe, expect, it } from 'vitest';
import {
  colorFor,
  filterByRegex,
  groupTags,
  meanStdByStep,
  mergeCurves,
  PALETTE,
  plotPoints,
  tagGroupName,
  withGroupOpen,
} from './curves.ts';

describe('tag groups', () => {
  it('puts losses first, then validation, α, test, learning rate; α indices in natural order', () => {
    const groups = groupTags([
      'test/f1',
      'alphas/mean/10',
      'lr',
      'validation/accuracy',
      'batch_loss',
      'alphas/mean/2',
      'epoch_loss',
      'custom',
    ]);
    expect(groups).toEqual([
      { name: 'loss', tags: ['batch_loss', 'epoch_loss'] },
      { name: 'validation', tags: ['validation/accuracy'] },
      { name: 'alphas', tags: ['alphas/mean/2', 'alphas/mean/10'] },
      { name: 'test', tags: ['test/f1'] },
      { name: 'learning rate', tags: ['lr'] },
      { name: 'other', tags: ['custom'] },
    ]);
    expect(tagGroupName('validation/per_split_acc/few')).toBe('validation');
  });
});

describe('withGroupOpen', () => {
  it('opens and folds a section, and returns the same list when nothing changes', () => {
    const open = ['loss', 'validation'];
    expect(withGroupOpen(open, 'alphas', true)).toEqual(['loss', 'validation', 'alphas']);
    expect(withGroupOpen(open, 'loss', false)).toEqual(['validation']);
    expect(withGroupOpen(open, 'loss', true)).toBe(open);
    expect(withGroupOpen(open, 'alphas', false)).toBe(open);
  });
});

describe('run colours', () => {
  it('are stable for an id and differ between neighbouring ids', () => {
    expect(colorFor(7)).toBe(colorFor(7));
    expect(new Set(PALETTE).size).toBeGreaterThanOrEqual(20);
    // Any 24 consecutive runs (an experiment's, created together) get 24 different colours.
    expect(new Set(Array.from({ length: 24 }, (_, i) => colorFor(i + 101))).size).toBe(24);
    expect(colorFor('demo\u0000exp\u0000abc')).toBe(colorFor('demo\u0000exp\u0000abc'));
    expect(PALETTE).toContain(colorFor('group key'));
  });
});

describe('meanStdByStep', () => {
  it('aligns runs at exact steps, with the sample std and how many runs had the step', () => {
    const a = [
      { step: 1, wallTime: 100, value: 10 },
      { step: 2, wallTime: 110, value: 20 },
    ];
    const b = [
      { step: 1, wallTime: 200, value: 14 },
      { step: 2, wallTime: 210, value: Number.NaN },
      { step: 3, wallTime: 220, value: 5 },
    ];
    expect(meanStdByStep([a, b])).toEqual([
      { step: 1, wallTime: 150, mean: 12, std: Math.sqrt(8), n: 2 },
      { step: 2, wallTime: 110, mean: 20, std: 0, n: 1 },
      { step: 3, wallTime: 220, mean: 5, std: 0, n: 1 },
    ]);
  });
});

describe('plotPoints', () => {
  const points = [
    { step: 1, wallTime: 3600, value: 0 },
    { step: 2, wallTime: 5400, value: 2 },
    { step: 4, wallTime: 7200, value: 4 },
  ];

  it('measures relative time in hours from the first point, wall time in ms', () => {
    expect(plotPoints(points, 'relative', 0, false).map((p) => p.x)).toEqual([0, 0.5, 1]);
    expect(plotPoints(points, 'wall', 0, false)[1].x).toBe(5_400_000);
  });

  it('drops values a log axis cannot show before smoothing', () => {
    const kept = plotPoints(points, 'step', 0.5, true);
    expect(kept.map((p) => p.step)).toEqual([2, 4]);
    expect(kept[0].smoothed).toBe(2);
  });
});

describe('filterByRegex', () => {
  const names = ['#1 r=0.5', '#2 r=1', '#3 baseline'];
  it('matches case-insensitively, and falls back to text for an invalid pattern', () => {
    expect(filterByRegex(names, 'R=\\d$', (s) => s)).toEqual({ items: ['#2 r=1'], valid: true });
    expect(filterByRegex(names, 'r=0.5(', (s) => s)).toEqual({ items: [], valid: false });
    expect(filterByRegex(names, '(', (s) => s).valid).toBe(false);
    expect(filterByRegex(names, ' ', (s) => s).items).toHaveLength(3);
  });
});

describe('mergeCurves', () => {
  const pts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ step: i + 1, wallTime: 100 + i, value: 1 / (i + 1) }));
  it('keeps the previous array of an unchanged tag and takes the new one of a grown or changed tag', () => {
    const previous = { runId: 7, tags: { a: pts(3), b: pts(2), c: pts(1) } };
    const changed = pts(1);
    changed[0].value = 5;
    const merged = mergeCurves(previous, { runId: 7, tags: { a: pts(3), b: pts(3), c: changed, d: pts(1) } });
    expect(merged.tags.a).toBe(previous.tags.a);
    expect(merged.tags.b).toHaveLength(3);
    expect(merged.tags.c[0].value).toBe(5);
    expect(Object.keys(merged.tags)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('takes the fresh curves when there were none', () => {
    const fresh = { runId: 1, tags: { a: pts(2) } };
    expect(mergeCurves(undefined, fresh)).toBe(fresh);
  });
});
