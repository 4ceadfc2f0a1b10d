import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../src-shared/api.ts';
import { defaultRunConfig, type RunConfig } from '../../../src-shared/config.ts';
import { configGroupKey } from '../../../src-shared/stats.ts';
import { valuesOf } from '../../../src-shared/sweep.ts';
import { configColumns, configText, filterRuns, nextSort, runSearchText, sortRuns, toggleShown } from './runs-table.ts';

/** A listed run whose config sets `values` (config paths) over the defaults; its sweep varies `swept`. */
function run(
  id: number,
  values: Record<string, unknown>,
  extra: Partial<RunSummary> = {},
  swept: string[] = [],
): RunSummary {
  const config: RunConfig = defaultRunConfig('demo');
  for (const [path, value] of Object.entries(values)) {
    const parts = path.split('.');
    let at = config as unknown as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) at = at[part] as Record<string, unknown>;
    at[parts[parts.length - 1]] = value;
  }
  const sweptValues = valuesOf(config, swept);
  return {
    id,
    config,
    configHash: configGroupKey(config),
    swept: sweptValues,
    label: sweptValues.map((v) => `${v.name}=${v.text}`).join(', '),
    experiment: 'e',
    kind: 'train',
    dataset: 'demo',
    seed: id,
    status: 'done',
    tags: [],
    notes: '',
    test: null,
    createdAt: id,
    ...extra,
  } as RunSummary;
}

describe('runs table config columns', () => {
  const runs = [
    run(1, { 'training.n_neighbors': 10, 'training.sampler_args': [{}, { r: '0.5' }] }),
    run(2, { 'training.n_neighbors': 5, 'training.sampler_args': [{}, { r: '1' }] }),
    run(3, { 'training.nn_dist': 'cosine' }),
    run(4, { 'training.n_neighbors': 5, 'training.sampler_args': [{}, { r: '0.25' }] }),
    run(5, {}, { seed: 9 }),
  ];

  it('has one column per config value that varies among the listed runs, in label order, never the seed', () => {
    expect(configColumns(runs).map((c) => c.name)).toEqual(['k', 'dist', 'ρ']);
    expect(configText(runs[0], 'training.sampler_args.1.r')).toBe('0.5');
    expect(configText(runs[4], 'training.sampler_args.1.r')).toBe('0.1');
    expect(configText(runs[4], 'training.optim_params.weight_decay')).toBe('');
  });

  it("keeps a sweep's columns when the list holds one config of it, and shows none for repetitions", () => {
    const one = [
      run(1, { 'training.n_neighbors': 3 }, {}, ['training.n_neighbors']),
      run(2, { 'training.n_neighbors': 3 }, {}, ['training.n_neighbors']),
    ];
    expect(configColumns(one)).toEqual([{ param: 'training.n_neighbors', name: 'k' }]);
    expect(configColumns([run(1, {}), run(2, {})])).toEqual([]);
    // Different datasets have their own column already.
    expect(configColumns([run(1, { dataset: 'a' }), run(2, { dataset: 'b' })])).toEqual([]);
  });

  it("leaves a baseline's nominal config out: it varies nothing, shows nothing and sorts last", () => {
    const listed = [
      run(1, { 'training.n_neighbors': 3 }),
      run(2, { 'training.train_epochs': 1 }, { kind: 'baseline' }),
      run(3, {}),
    ];
    expect(configColumns(listed).map((c) => c.name)).toEqual(['k']);
    expect(configText(listed[1], 'training.n_neighbors')).toBe('');
    expect(sortRuns(listed, { param: 'training.n_neighbors', descending: true }).map((r) => r.id)).toEqual([3, 1, 2]);
  });

  it('sorts by a config value (numbers numerically, also from text), stably, runs without it last', () => {
    const ids = (param: string, descending = false) => sortRuns(runs, { param, descending }).map((r) => r.id);
    expect(ids('training.n_neighbors')).toEqual([2, 3, 4, 5, 1]);
    expect(ids('training.n_neighbors', true)).toEqual([1, 2, 3, 4, 5]);
    expect(ids('training.sampler_args.1.r')).toEqual([3, 5, 4, 1, 2]);
    expect(ids('training.optim_params.weight_decay')).toEqual([1, 2, 3, 4, 5]);
    expect(sortRuns(runs, null).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sorts by the fixed columns too: id, seed, results (missing last), text', () => {
    const listed = [
      run(1, {}, { seed: 3, test: { few: 0.2, medium: 0.5, many: 0.9, overall: 0.6 }, experiment: 'b' }),
      run(2, {}, { seed: null, test: null, experiment: 'a' }),
      run(3, {}, { seed: 1, test: { few: 0.4, medium: 0.5, many: 0.8, overall: 0.5 }, experiment: 'c' }),
    ];
    const ids = (param: string, descending = false) => sortRuns(listed, { param, descending }).map((r) => r.id);
    expect(ids('id', true)).toEqual([3, 2, 1]);
    expect(ids('seed')).toEqual([3, 1, 2]);
    expect(ids('few', true)).toEqual([3, 1, 2]);
    expect(ids('overall')).toEqual([3, 1, 2]);
    expect(ids('experiment')).toEqual([2, 1, 3]);
  });

  it('cycles a header through ascending, descending and unsorted', () => {
    const a = nextSort(null, 'k');
    expect(a).toEqual({ param: 'k', descending: false });
    expect(nextSort(a, 'k')).toEqual({ param: 'k', descending: true });
    expect(nextSort({ param: 'k', descending: true }, 'k')).toBeNull();
    expect(nextSort(a, 'ρ')).toEqual({ param: 'ρ', descending: false });
  });

  it('selects every shown run from the header box, or clears them when all were selected', () => {
    const shown = runs.slice(0, 2);
    expect([...toggleShown(new Set([5]), shown)].sort()).toEqual([1, 2, 5]);
    expect([...toggleShown(new Set([1, 2, 5]), shown)]).toEqual([5]);
    expect([...toggleShown(new Set(), [])]).toEqual([]);
  });
});

describe('the Runs filter', () => {
  const runs = [
    run(3, { 'training.n_neighbors': 5 }, { experiment: 'k sweep', seed: 1, tags: ['keep'], notes: 'lr looks high' }, [
      'training.n_neighbors',
    ]),
    run(
      12,
      { 'training.n_neighbors': 10 },
      { experiment: 'k sweep', seed: 2, status: 'failed', tags: ['keep', 'Paper'] },
      ['training.n_neighbors'],
    ),
    run(13, {}, { experiment: 'baseline', dataset: 'cifar', seed: null }),
  ];
  const ids = (query: string) => filterRuns(runs, query).items.map((r) => r.id);

  it('matches part of a name, label, dataset, id, status, tag or notes, case-insensitively', () => {
    expect(runSearchText(runs[1])).toBe('#12 k sweep k=10 demo seed 2 failed keep Paper ');
    expect(ids('SWEEP')).toEqual([3, 12]);
    expect(ids('k=10')).toEqual([12]);
    expect(ids('cifar')).toEqual([13]);
    expect(ids('#3 ')).toEqual([3]);
    expect(ids('failed')).toEqual([12]);
    expect(ids('paper')).toEqual([12]);
    expect(ids('looks high')).toEqual([3]);
    expect(ids('')).toEqual([3, 12, 13]);
  });

  it('keeps runs carrying every tag: term, with the rest of the query applied to them', () => {
    expect(ids('tag:keep')).toEqual([3, 12]);
    expect(ids('tag:keep tag:paper')).toEqual([12]);
    expect(ids('tag:kee')).toEqual([]);
    expect(ids('tag:keep seed 1')).toEqual([3]);
  });

  it('takes regular expressions, and an invalid one as text', () => {
    expect(ids('^#1[23] ')).toEqual([12, 13]);
    expect(ids('k=(5|10) |cifar')).toEqual([3, 12, 13]);
    expect(filterRuns(runs, 'k=(5')).toEqual({ items: [], valid: false });
  });
});
