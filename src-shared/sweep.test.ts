import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from './config.ts';
import { configGroupKey } from './stats.ts';
import {
  configLabels,
  expandSweep,
  paramInfo,
  parseSweepValues,
  resolveParamKey,
  sweepConfigs,
  sweepSize,
  validateSweep,
  withParam,
  type SweepSpec,
} from './sweep.ts';

const base = () => defaultRunConfig('demo');
const facts = { key: 'demo', splitClasses: { many: 5, medium: 5, few: 5 }, datagrps: ['train', 'val', 'test'] };

describe('grid keys and values', () => {
  it('resolves r, short names, train flags and dotted paths to config paths', () => {
    const c = base();
    expect(resolveParamKey('r', c)).toBe('training.sampler_args.1.r');
    expect(resolveParamKey('training:n-neighbors', c)).toBe('training.n_neighbors');
    expect(resolveParamKey('k', c)).toBe('training.n_neighbors');
    expect(resolveParamKey('lr', c)).toBe('training.optim_params.lr');
    expect(resolveParamKey('training:ptopt:optim-params.weight_decay', c)).toBe('training.optim_params.weight_decay');
    expect(resolveParamKey('training.sampler_args.0.r', c)).toBe('training.sampler_args.0.r');
    expect(resolveParamKey('alphanet:hdims', c)).toBe('alphanet.hdims');
    expect(() => resolveParamKey('training:nope', c)).toThrow(/'training:nope' is not a sweepable parameter/);
    // With one argument set for all samplers, r is that set's.
    c.training.sampler_args = [{ r: '1' }];
    expect(resolveParamKey('r', c)).toBe('training.sampler_args.0.r');
  });

  it('parses values by the parameter kind and names the bad one', () => {
    expect(parseSweepValues(paramInfo('training.n_neighbors'), '3, 5,10')).toEqual([3, 5, 10]);
    expect(parseSweepValues(paramInfo('training.nn_dist'), 'euclidean,cosine')).toEqual(['euclidean', 'cosine']);
    expect(parseSweepValues(paramInfo('alphanet.hdims'), '64 64,128')).toEqual([[64, 64], [128]]);
    expect(() => parseSweepValues(paramInfo('training.n_neighbors'), '3,2.5')).toThrow('k = "2.5": not a whole number');
    expect(() => parseSweepValues(paramInfo('training.nn_dist'), 'manhattan')).toThrow(
      /dist = "manhattan": not one of euclidean, cosine, random/,
    );
  });

  it('sets any parameter on a copy; key=value parameters stay text; sched none drops its parameters', () => {
    const c = base();
    expect(withParam(c, 'training.sampler_args.1.r', 0.5).training.sampler_args[1]).toEqual({ r: '0.5' });
    expect(withParam(c, 'alphanet.hdims', [64, 64]).alphanet.hdims).toEqual([64, 64]);
    const none = withParam(c, 'training.lr_sched_cls', 'none');
    expect([none.training.lr_sched_cls, none.training.lr_sched_params]).toEqual([null, {}]);
    expect(c.training.sampler_args[1]).toEqual({ r: '0.1' });
    expect(() => withParam(c, 'training.nope', 1)).toThrow(/not a parameter/);
  });
});

describe('expansion', () => {
  const spec: SweepSpec = {
    grid: [
      { param: 'training.n_neighbors', values: [3, 5] },
      { param: 'training.sampler_args.1.r', values: [0.1, 0.5, 1] },
    ],
  };

  it('makes values × reps runs, first axis slowest, seeds innermost, each named by its values', () => {
    const runs = expandSweep(base(), spec, [1, 2]);
    expect(runs).toHaveLength(2 * 3 * 2);
    expect(sweepSize(spec)).toBe(6);
    expect(runs.map((r) => `${r.label} #${r.seed}`).slice(0, 4)).toEqual([
      'k=3, ρ=0.1 #1',
      'k=3, ρ=0.1 #2',
      'k=3, ρ=0.5 #1',
      'k=3, ρ=0.5 #2',
    ]);
    expect(runs[11].label).toBe('k=5, ρ=1');
    expect(runs[11].config.training.n_neighbors).toBe(5);
    expect(runs[11].config.training.sampler_args[1].r).toBe('1');
    expect(runs.map((r) => r.configIndex)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Stable: the same definition expands to the same list.
    expect(expandSweep(base(), spec, [1, 2])).toEqual(runs);
  });

  it('draws random configs reproducibly from the seed, lr log-uniformly within its range', () => {
    const random: SweepSpec = {
      grid: [{ param: 'training.nn_dist', values: ['euclidean', 'cosine'] }],
      random: {
        n: 4,
        seed: 7,
        ranges: [
          { param: 'training.optim_params.lr', min: 1e-5, max: 1e-1 },
          { param: 'training.n_neighbors', min: 2, max: 6 },
        ],
      },
    };
    const a = sweepConfigs(base(), random);
    expect(a).toHaveLength(8);
    expect(sweepConfigs(base(), random).map((c) => c.label)).toEqual(a.map((c) => c.label));
    const lrs = a.map((c) => Number(c.config.training.optim_params.lr));
    expect(lrs.every((lr) => lr >= 1e-5 && lr <= 1e-1)).toBe(true);
    // The same draws for each grid value.
    expect(lrs.slice(0, 4)).toEqual(lrs.slice(4));
    expect(a.every((c) => [2, 3, 4, 5, 6].includes(c.config.training.n_neighbors))).toBe(true);
    expect(a[0].label).toMatch(/^dist=euclidean, lr=[\d.e-]+, k=\d$/);
    const other = sweepConfigs(base(), { ...random, random: { ...random.random!, seed: 8 } });
    expect(other.map((c) => c.label)).not.toEqual(a.map((c) => c.label));
    // Log-uniform: over many draws about half fall below the geometric middle (1e-3), not ~1 %.
    const many = sweepConfigs(base(), {
      grid: [],
      random: { n: 400, seed: 1, ranges: [{ param: 'training.optim_params.lr', min: 1e-5, max: 1e-1 }] },
    });
    const below = many.filter((c) => Number(c.config.training.optim_params.lr) < 1e-3).length;
    expect(below).toBeGreaterThan(150);
    expect(below).toBeLessThan(250);
  });
});

describe('whole-sweep validation', () => {
  it('accepts a good sweep', () => {
    expect(validateSweep(base(), { grid: [{ param: 'training.n_neighbors', values: [3, 5] }] }, facts)).toEqual([]);
  });

  it('says which value of which parameter is wrong, with the dataset checks', () => {
    const errors = validateSweep(
      base(),
      {
        grid: [
          { param: 'training.n_neighbors', values: [3, 12] },
          { param: 'training.sampler_args.1.r', values: [0.5, -1] },
        ],
      },
      facts,
    );
    expect(errors).toEqual([
      {
        path: 'sweep.training.n_neighbors',
        message: "k = 12: must be less than the number of base classes of 'demo' (10)",
      },
      { path: 'sweep.training.sampler_args.1.r', message: "ρ = -1: r: '-1' must be a number > 0" },
    ]);
    // Without the dataset's facts only the config's own rules apply.
    expect(validateSweep(base(), { grid: [{ param: 'training.n_neighbors', values: [12] }] })).toEqual([]);
  });

  it('reports values wrong only together by the config label, and a datagrp the dataset lacks', () => {
    const together = validateSweep(base(), {
      grid: [
        { param: 'training.train_epochs', values: [3, 10] },
        { param: 'training.min_epochs', values: [2, 4] },
      ],
    });
    expect(together).toEqual([
      { path: 'sweep', message: 'epochs=3, min_epochs=4: training.min_epochs: must not exceed train_epochs (3)' },
    ]);
    const c = base();
    c.training.val_datagrp = 'dev';
    expect(validateSweep(c, { grid: [{ param: 'training.n_neighbors', values: [3] }] }, facts)).toEqual([
      {
        path: 'training.val_datagrp',
        message:
          "dataset 'demo' has no datagrp 'dev' (it has train, val, test); leave it empty to train without validation",
      },
    ]);
  });

  it('refuses a bad value type, an empty axis, a repeated axis and a bad range', () => {
    const messages = validateSweep(base(), {
      grid: [
        { param: 'training.nn_dist', values: ['manhattan'] },
        { param: 'training.n_neighbors', values: [] },
        { param: 'training.nn_dist', values: ['cosine'] },
      ],
      random: { n: 0, seed: 1, ranges: [{ param: 'training.optim_params.lr', min: 0, max: 1 }] },
    }).map((e) => e.message);
    expect(messages).toEqual([
      'dist = "manhattan": not one of euclidean, cosine, random',
      'k: give at least one value',
      'dist is swept twice',
      'draws must be a whole number ≥ 1',
      'lr: the range [0, 1] must have min ≤ max, both > 0 (log-uniform)',
    ]);
  });
});

describe('labels', () => {
  it('names each config by the parameters on which its set differs, in the table order', () => {
    const a = withParam(withParam(base(), 'training.sampler_args.1.r', 0.5), 'training.n_neighbors', 3);
    const b = withParam(base(), 'training.sampler_args.1.r', 1);
    const c = withParam(withParam(base(), 'alphanet.hdims', [64, 64]), 'training.tb_logs', '/tmp/x');
    const labels = configLabels([a, b, c]);
    expect(labels.params).toEqual(['training.n_neighbors', 'alphanet.hdims', 'training.sampler_args.1.r']);
    expect(labels.byConfig.get(configGroupKey(a))?.label).toBe('k=3, hdims=[32 32 32], ρ=0.5');
    expect(labels.byConfig.get(configGroupKey(c))?.label).toBe('k=5, hdims=[64 64], ρ=0.1');
    // Repetitions of one config: nothing varies, no label.
    expect(configLabels([a, a]).byConfig.get(configGroupKey(a))?.label).toBe('');
  });

  it('names a key=value parameter that only some configs set by its key, missing as –', () => {
    const a = withParam(base(), 'training.optim_params.weight_decay', 0.01);
    const labels = configLabels([a, base()]);
    expect([...labels.byConfig.values()].map((v) => v.label)).toEqual(['weight_decay=0.01', 'weight_decay=–']);
  });
});
