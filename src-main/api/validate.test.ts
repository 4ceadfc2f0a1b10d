import { describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import { ApiValidationError, MAX_COMPARISON_RUNS, MAX_RUNS_PER_LAUNCH, runConfig, validators } from './validate.ts';

function problem(fn: () => unknown): { message: string; fields: { path: string; message: string }[] } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiValidationError) return { message: error.message, fields: error.fields };
    throw error;
  }
  throw new Error('expected a validation error');
}

const config = () => defaultRunConfig('demo');

describe('API param validators', () => {
  it('pass good params through, typed', () => {
    expect(validators.getRun({ id: 3 })).toEqual({ id: 3 });
    expect(validators.listRuns({ status: 'done', dataset: 'demo' })).toEqual({ status: 'done', dataset: 'demo' });
    expect(validators.listDatasets(undefined)).toEqual({});
    expect(validators.addDataset({ bundled: 'demo' })).toEqual({ bundled: 'demo' });
    expect(validators.exportSeries({ runId: 1, tag: 'batch_loss', format: 'csv' })).toEqual({
      runId: 1,
      tag: 'batch_loss',
      format: 'csv',
    });
    expect(validators.listInspectable(undefined)).toEqual({});
    expect(validators.getInspector({ dataset: 'demo', experiment: 'e' })).toEqual({ dataset: 'demo', experiment: 'e' });
  });

  it('name the field for wrong types, unknown fields and bad choices', () => {
    expect(problem(() => validators.getRun({ id: 1.5 })).message).toBe('id: must be a run id (a whole number ≥ 1)');
    expect(problem(() => validators.getRun({ id: 1, extra: true })).message).toBe(
      'params.extra: unknown field (expected: id)',
    );
    expect(problem(() => validators.getRun('1')).message).toBe('params: must be an object');
    expect(problem(() => validators.listRuns({ status: 'finished' })).message).toMatch(
      /^status: must be one of queued, running/,
    );
    expect(problem(() => validators.addDataset({ configFile: 'a', folder: 'b' })).message).toMatch(
      /give one of configFile/,
    );
    expect(problem(() => validators.getCurves({ runIds: [1, 'x'] })).fields[0].path).toBe('runIds.1');
    expect(problem(() => validators.getInspector({ dataset: 'demo' })).message).toBe('experiment: must be a string');
    expect(problem(() => validators.getInspector({ dataset: ' ', experiment: 'e' })).message).toBe(
      'dataset: must not be empty',
    );
  });

  it('check a config’s shape, then its values, listing every bad value', () => {
    const bad = config() as unknown as { training: Record<string, unknown> };
    bad.training.train_epochs = '25';
    expect(problem(() => runConfig(bad)).message).toBe('config.training.train_epochs: must be a number');
    const values = config();
    values.training.train_batch_size = 0;
    values.training.pred_scale = -1;
    expect(problem(() => runConfig(values)).fields.map((f) => f.path)).toEqual([
      'config.training.train_batch_size',
      'config.training.pred_scale',
    ]);
  });

  it('want seeds or repetitions, not both, and check every swept config', () => {
    const launch = validators.launchExperiment;
    const grid = (param: string, values: unknown[]) => ({ grid: [{ param, values }] });
    expect(
      launch({
        experiment: ' r sweep ',
        config: config(),
        seeds: [7, 8],
        sweep: {
          grid: [
            { param: 'r', values: [0.5, '1'] },
            { param: 'training:nn-dist', values: ['cosine'] },
          ],
        },
      }),
    ).toEqual({
      experiment: 'r sweep',
      config: config(),
      seeds: [7, 8],
      sweep: {
        grid: [
          { param: 'training.sampler_args.1.r', values: [0.5, 1] },
          { param: 'training.nn_dist', values: ['cosine'] },
        ],
      },
    });
    expect(problem(() => launch({ experiment: 'x', config: config(), seeds: [1], repetitions: 2 })).message).toMatch(
      /either seeds or repetitions/,
    );
    expect(problem(() => launch({ experiment: 'x', config: config(), seeds: [1, 1] })).message).toBe(
      'seeds: seeds repeat',
    );
    expect(problem(() => launch({ experiment: '', config: config(), repetitions: 1 })).message).toBe(
      'experiment: must not be empty',
    );
    const swept = problem(() =>
      launch({ experiment: 'x', config: config(), repetitions: 1, sweep: grid('training.train_epochs', [30, 2]) }),
    );
    expect(swept.fields).toEqual([
      {
        path: 'sweep.training.train_epochs',
        message: 'epochs = 2: training.min_epochs: must not exceed train_epochs (2)',
      },
    ]);
    expect(
      problem(() => launch({ experiment: 'x', config: config(), repetitions: 1, sweep: grid('training.nn_dist', [1]) }))
        .message,
    ).toBe('sweep.grid.0.values.0: dist = 1: not one of euclidean, cosine, random');
    expect(
      problem(() => launch({ experiment: 'x', config: config(), repetitions: 1, sweep: grid('nope', [1]) })).message,
    ).toMatch(/^sweep.grid.0.param: 'nope' is not a sweepable parameter/);
    const random = {
      n: 3,
      seed: 2,
      ranges: [
        { param: 'lr', min: 1e-4, max: 1e-2 },
        { param: 'alphanet:hact', choices: ['relu', 'tanh'] },
      ],
    };
    expect(launch({ experiment: 'x', config: config(), repetitions: 1, sweep: { grid: [], random } }).sweep).toEqual({
      grid: [],
      random: {
        n: 3,
        seed: 2,
        ranges: [
          { param: 'training.optim_params.lr', min: 1e-4, max: 1e-2 },
          { param: 'alphanet.hact', choices: ['relu', 'tanh'] },
        ],
      },
    });
    expect(
      problem(() =>
        launch({
          experiment: 'x',
          config: config(),
          repetitions: 1,
          sweep: { grid: [], random: { ...random, ranges: [{ param: 'lr', min: 0, max: 1 }] } },
        }),
      ).fields,
    ).toEqual([
      {
        path: 'sweep.training.optim_params.lr',
        message: 'lr: the range [0, 1] must have min ≤ max, both > 0 (log-uniform)',
      },
    ]);
    expect(
      problem(() =>
        launch({
          experiment: 'x',
          config: config(),
          repetitions: 10,
          sweep: grid(
            'k',
            Array.from({ length: 101 }, (_, i) => i + 1),
          ),
        }),
      ).message,
    ).toMatch(/queues 1010 runs; at most 1000/);
    expect(
      problem(() => launch({ experiment: 'x', config: config(), repetitions: MAX_RUNS_PER_LAUNCH + 1 })).message,
    ).toMatch(/at most 1000/);
  });

  it('take an optional dataset for the comparison groups and a bounded list of run ids for their runs', () => {
    expect(validators.listComparisonGroups(undefined)).toEqual({});
    expect(validators.listComparisonGroups({ dataset: 'demo' })).toEqual({ dataset: 'demo' });
    expect(problem(() => validators.listComparisonGroups({ dataset: '' })).message).toBe('dataset: must not be empty');
    expect(problem(() => validators.listComparisonGroups({ experiment: 'x' })).message).toBe(
      'params.experiment: unknown field (expected: dataset)',
    );
    expect(validators.getComparisonRuns({ runIds: [1, 2] })).toEqual({ runIds: [1, 2] });
    expect(problem(() => validators.getComparisonRuns({ runIds: [0] })).fields[0].path).toBe('runIds.0');
    expect(problem(() => validators.getComparisonRuns({})).message).toBe('runIds: must be a list');
    const tooMany = Array.from({ length: MAX_COMPARISON_RUNS + 1 }, (_, i) => i + 1);
    expect(problem(() => validators.getComparisonRuns({ runIds: tooMany })).message).toBe(
      `runIds: at most ${MAX_COMPARISON_RUNS} runs at once`,
    );
  });

  it('normalize tags and notes with the shared rules, and bound bulk selections', () => {
    expect(validators.listRuns({ tag: [' keep ', 'keep'] })).toEqual({ tag: ['keep'] });
    expect(problem(() => validators.listRuns({ tag: ['a,b'] })).message).toBe(
      "tag: tag 'a,b': must not contain commas",
    );
    expect(validators.tagRuns({ ids: [2, 1, 2], add: ['x'] })).toEqual({ ids: [2, 1], add: ['x'] });
    expect(problem(() => validators.tagRuns({ ids: [1], add: ['two words'] })).message).toBe(
      "add: tag 'two words': must be one word (no spaces)",
    );
    expect(problem(() => validators.tagRuns({ ids: [1] })).message).toBe('add: give tags to add or to remove');
    expect(problem(() => validators.deleteRuns({ ids: [] })).message).toBe('ids: give at least one run id');
    expect(problem(() => validators.rerunRuns({ ids: Array.from({ length: 1001 }, (_, i) => i + 1) })).message).toBe(
      'ids: at most 1000 runs at once',
    );
    expect(validators.setRunNotes({ id: 3, notes: 'ok  \n' })).toEqual({ id: 3, notes: 'ok' });
    expect(problem(() => validators.setRunNotes({ id: 3, notes: 'x'.repeat(20_001) })).message).toBe(
      'notes: at most 20000 characters (got 20001)',
    );
  });
});
