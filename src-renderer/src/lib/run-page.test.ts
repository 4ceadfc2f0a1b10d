import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import { configRows, datasetChanged, runSeconds } from './run-page.ts';

describe('the run page', () => {
  it('lists every config value and marks those that differ from the defaults, with the default', () => {
    const config = defaultRunConfig('demo');
    config.training.n_neighbors = 10;
    config.training.sampler_args = [{}, { r: '0.5' }];
    config.alphanet.hdims = [64, 64];
    const rows = configRows(config);
    const changed = rows.filter((r) => r.defaultText !== null).map((r) => [r.name, r.text, r.defaultText]);
    expect(changed).toEqual([
      ['k', '10', '5'],
      ['hdims', '64 64', '32 32 32'],
      ['ρ', '0.5', '0.1'],
    ]);
    expect(rows.find((r) => r.param === 'training.optim_cls')).toEqual({
      param: 'training.optim_cls',
      name: 'optim',
      text: 'AdamW',
      defaultText: null,
    });
    expect(rows.map((r) => r.param)).toContain('dataset');
    expect(configRows(defaultRunConfig('demo')).every((r) => r.defaultText === null)).toBe(true);
  });

  it('shows a key=value parameter the defaults lack, and one the run dropped', () => {
    const config = defaultRunConfig('demo');
    config.training.optim_params = { weight_decay: '0.01' };
    const rows = configRows(config);
    expect(rows.find((r) => r.param === 'training.optim_params.weight_decay')).toMatchObject({
      text: '0.01',
      defaultText: '–',
    });
    expect(rows.find((r) => r.param === 'training.optim_params.lr')).toMatchObject({ text: '–', defaultText: '0.001' });
  });

  it('times a run from its start to its end, or to now while it runs', () => {
    expect(runSeconds({ startedAt: null, finishedAt: null })).toBeNull();
    expect(runSeconds({ startedAt: 1000, finishedAt: 4500 })).toBe(3.5);
    expect(runSeconds({ startedAt: 1000, finishedAt: null }, 3000)).toBe(2);
  });

  it('flags a dataset whose fingerprint is not the one the run trained on, and only when both are known', () => {
    expect(datasetChanged({ trainedFingerprint: 'a', datasetFingerprint: 'b' })).toBe(true);
    expect(datasetChanged({ trainedFingerprint: 'a', datasetFingerprint: 'a' })).toBe(false);
    expect(datasetChanged({ trainedFingerprint: null, datasetFingerprint: 'b' })).toBe(false);
    expect(datasetChanged({ trainedFingerprint: 'a', datasetFingerprint: null })).toBe(false);
  });
});
