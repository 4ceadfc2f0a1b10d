import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../src-shared/api.ts';
import type { SweepValue } from '../../../src-shared/sweep.ts';
import { filterByRegex } from './curves.ts';
import { nextSort, runSearchText, sortRuns, sweptColumns, sweptText } from './runs-table.ts';

function run(id: number, values: Record<string, SweepValue>): RunSummary {
  const names: Record<string, string> = { 'training.n_neighbors': 'k', 'training.sampler_args.1.r': 'ρ', 'training.nn_dist': 'dist' };
  const swept = Object.entries(values).map(([param, value]) => ({ param, name: names[param], value, text: String(value) }));
  return { id, swept, label: swept.map((v) => `${v.name}=${v.text}`).join(', ') } as RunSummary;
}

describe('runs table sweep columns', () => {
  const runs = [
    run(1, { 'training.n_neighbors': 10, 'training.sampler_args.1.r': '0.5' }),
    run(2, { 'training.n_neighbors': 5, 'training.sampler_args.1.r': '1' }),
    run(3, { 'training.nn_dist': 'cosine' }),
    run(4, { 'training.n_neighbors': 5, 'training.sampler_args.1.r': '0.25' }),
    run(5, {}),
  ];

  it('has one column per swept parameter, in order of first appearance', () => {
    expect(sweptColumns(runs).map((c) => c.name)).toEqual(['k', 'ρ', 'dist']);
    expect(sweptText(runs[0], 'training.sampler_args.1.r')).toBe('0.5');
    expect(sweptText(runs[4], 'training.sampler_args.1.r')).toBe('');
  });

  it('sorts by value (numbers numerically, also from text), stably, runs without the parameter last', () => {
    const ids = (param: string, descending = false) => sortRuns(runs, { param, descending }).map((r) => r.id);
    expect(ids('training.n_neighbors')).toEqual([2, 4, 1, 3, 5]);
    expect(ids('training.n_neighbors', true)).toEqual([1, 2, 4, 3, 5]);
    expect(ids('training.sampler_args.1.r')).toEqual([4, 1, 2, 3, 5]);
    expect(sortRuns(runs, null).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('cycles a header through ascending, descending and unsorted', () => {
    const a = nextSort(null, 'k');
    expect(a).toEqual({ param: 'k', descending: false });
    expect(nextSort(a, 'k')).toEqual({ param: 'k', descending: true });
    expect(nextSort({ param: 'k', descending: true }, 'k')).toBeNull();
    expect(nextSort(a, 'ρ')).toEqual({ param: 'ρ', descending: false });
  });
});

describe('the Runs filter', () => {
  const runs = [
    { ...run(3, { 'training.n_neighbors': 5 }), experiment: 'k sweep', dataset: 'demo', seed: 1, status: 'done' },
    { ...run(12, { 'training.n_neighbors': 10 }), experiment: 'k sweep', dataset: 'demo', seed: 2, status: 'failed' },
    { ...run(13, {}), experiment: 'baseline', dataset: 'cifar', seed: null, status: 'done' },
  ] as RunSummary[];
  const ids = (pattern: string) => filterByRegex(runs, pattern, runSearchText).items.map((r) => r.id);

  it('matches part of a name, label, dataset, id or status, case-insensitively', () => {
    expect(runSearchText(runs[1])).toBe('#12 k sweep k=10 demo seed 2 failed');
    expect(ids('SWEEP')).toEqual([3, 12]);
    expect(ids('k=10')).toEqual([12]);
    expect(ids('cifar')).toEqual([13]);
    expect(ids('#3 ')).toEqual([3]);
    expect(ids('failed')).toEqual([12]);
    expect(ids('')).toEqual([3, 12, 13]);
  });

  it('takes regular expressions, and an invalid one as text', () => {
    expect(ids('^#1[23] ')).toEqual([12, 13]);
    expect(ids('k=(5|10)$|cifar')).toEqual([13]);
    expect(filterByRegex(runs, 'k=(5', runSearchText)).toEqual({ items: [], valid: false });
  });
});
