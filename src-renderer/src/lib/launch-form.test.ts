import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import { fieldOf, formFieldOf, formFromConfig, requestFromForm, runCount } from './launch-form.ts';

const form = () => ({ ...formFromConfig(defaultRunConfig('demo'), 'exp') });

describe('launch form', () => {
  it('turns the defaults back into the same config', () => {
    const { request, errors } = requestFromForm(form());
    expect(errors).toEqual({});
    expect(request).toEqual({ experiment: 'exp', config: defaultRunConfig('demo'), repetitions: 1 });
  });

  it('keeps a scheduler-less, validation-less config', () => {
    const f = form();
    f.lr_sched_cls = '';
    f.val_datagrp = '';
    const config = requestFromForm(f).request?.config;
    expect(config?.training.lr_sched_cls).toBeNull();
    expect(config?.training.lr_sched_params).toEqual({});
    expect(config?.training.val_datagrp).toBeNull();
  });

  it('puts each problem on its field', () => {
    const f = form();
    f.experiment = ' ';
    f.train_epochs = '';
    f.optim_params = 'lr';
    f.samplers[1].args = 'r=-1';
    f.hdims = '32,x';
    const { request, errors } = requestFromForm(f);
    expect(request).toBeNull();
    expect(errors).toEqual({
      experiment: 'name the experiment',
      train_epochs: 'must be a whole number ≥ 1',
      optim_params: "'lr' is not key=value",
      'samplers.1': "r: '-1' must be a number > 0",
      hdims: 'hidden size NaN must be a whole number from 1 to 4096',
    });
  });

  it('checks seeds and every swept value', () => {
    const f = form();
    f.seedMode = 'seeds';
    f.seeds = '1, 2, 2';
    expect(requestFromForm(f).errors).toEqual({ seeds: 'seeds repeat' });
    f.seeds = '3 4';
    f.sweep = [{ param: 'training.train_epochs', values: '10, 3' }];
    expect(requestFromForm(f).errors).toEqual({
      'sweep.0': 'epochs = 3: training.min_epochs: must not exceed train_epochs (3)',
    });
    f.sweep[0].values = '10, 20';
    expect(requestFromForm(f).request).toMatchObject({
      seeds: [3, 4],
      sweep: { grid: [{ param: 'training.train_epochs', values: [10, 20] }] },
    });
    expect(runCount(f)).toBe(4);
  });

  it('sweeps a grid over numeric and categorical parameters, each problem on its row', () => {
    const f = form();
    f.repetitions = '2';
    f.sweep = [
      { param: 'training.n_neighbors', values: '3, 5' },
      { param: '', values: '' },
      { param: 'training.nn_dist', values: 'euclidean, cosine, manhattan' },
    ];
    expect(requestFromForm(f).errors).toEqual({
      'sweep.2': 'dist = "manhattan": not one of euclidean, cosine, random',
    });
    f.sweep[2].values = 'euclidean, cosine';
    expect(requestFromForm(f).request?.sweep).toEqual({
      grid: [
        { param: 'training.n_neighbors', values: [3, 5] },
        { param: 'training.nn_dist', values: ['euclidean', 'cosine'] },
      ],
    });
    expect(runCount(f)).toBe(8);
    expect(formFieldOf('sweep.training.nn_dist', f)).toBe('sweep.2');
    expect(formFieldOf('sweep', f)).toBe('sweep');
    expect(formFieldOf('training.n_neighbors', f)).toBe('n_neighbors');
  });

  it('maps config paths to form fields', () => {
    expect(fieldOf('training.sampler_args.1.r')).toBe('samplers.1');
    expect(fieldOf('training.optim_params.lr')).toBe('optim_params');
    expect(fieldOf('alphanet.hdims.0')).toBe('hdims');
    expect(fieldOf('dataset')).toBe('dataset');
  });
});
