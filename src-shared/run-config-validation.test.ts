import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from './config.ts';
import { validateRunConfig } from './run-config-validation.ts';

const paths = (config = defaultRunConfig('demo')) => validateRunConfig(config).map((e) => e.path);

describe('validateRunConfig', () => {
  it('accepts the defaults', () => {
    expect(validateRunConfig(defaultRunConfig('demo'))).toEqual([]);
  });

  it('names the field and the reason', () => {
    const config = defaultRunConfig('demo');
    config.training.train_epochs = 3;
    config.training.min_epochs = 5;
    expect(validateRunConfig(config)).toEqual([
      { path: 'training.min_epochs', message: 'must not exceed train_epochs (3)' },
    ]);
  });

  it('rejects non-integers, NaN from an empty field, and an empty dataset', () => {
    const config = defaultRunConfig('');
    config.training.n_neighbors = 2.5;
    config.training.train_batch_size = Number.NaN;
    config.alphanet.hdims = [32, 0];
    expect(paths(config)).toEqual(['dataset', 'alphanet.hdims.1', 'training.n_neighbors', 'training.train_batch_size']);
  });

  it('checks optimiser, scheduler and sampler parameters by name and value', () => {
    const config = defaultRunConfig('demo');
    config.training.optim_params = { lr: 'abc', momentum: '0.9' };
    config.training.lr_sched_cls = 'MultiStepLR';
    config.training.lr_sched_params = { milestones: '5,x' };
    config.training.sampler_args = [{ r: '0.5' }, { r: '-1', q: '1' }];
    const errors = validateRunConfig(config);
    expect(errors.map((e) => e.path)).toEqual([
      'training.optim_params.lr',
      'training.optim_params.momentum',
      'training.lr_sched_params.milestones',
      'training.sampler_args.1.r',
      'training.sampler_args.1.q',
    ]);
    expect(errors[1].message).toMatch(/AdamW has no parameter 'momentum'/);
    expect(errors[3].message).toMatch(/must be a number > 0/);
    expect(errors[4].message).toMatch(/ClassBalancedBaseSampler has no parameter 'q'/);
  });

  it('wants the scheduler parameters PyTorch has no default for, and betas in [0, 1)', () => {
    const config = defaultRunConfig('demo');
    config.training.lr_sched_cls = 'CosineAnnealingLR';
    config.training.lr_sched_params = { eta_min: '0' };
    config.training.optim_params = { betas: '0.9,1.5' };
    expect(validateRunConfig(config)).toEqual([
      {
        path: 'training.optim_params.betas',
        message: "betas: '0.9,1.5' must be two numbers in [0, 1), e.g. (0.9,0.999)",
      },
      { path: 'training.lr_sched_params', message: 'CosineAnnealingLR needs T_max=…' },
    ]);
  });

  it('wants one sampler argument set, or one per sampler', () => {
    const config = defaultRunConfig('demo');
    config.training.sampler_args = [{}, {}, {}];
    expect(paths(config)).toEqual(['training.sampler_args']);
    config.training.sampler_classes = ['NoSuchSampler'];
    config.training.sampler_args = [{}];
    expect(paths(config)).toEqual(['training.sampler_classes.0']);
  });
});
