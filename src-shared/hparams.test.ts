import { describe, expect, it } from 'vitest';
import type { CompareRun } from './compare-groups.ts';
import { defaultRunConfig } from './config.ts';
import { axisPosition, axisValues, brushedConfigs, hparamsTable, type HParamsAxis } from './hparams.ts';
import { evalMetrics } from '../test/results-fixture.ts';
import { configGroupKey } from './stats.ts';
import { withParam } from './sweep.ts';

let id = 1;
function run(k: number, dist: string, few: number, seed: number): CompareRun {
  const config = withParam(withParam(defaultRunConfig('demo'), 'training.n_neighbors', k), 'training.nn_dist', dist);
  return {
    id: id++,
    dataset: 'demo',
    experiment: 'sweep',
    kind: 'train',
    configHash: configGroupKey(config),
    seed,
    selection: 'best-val',
    config,
    test: evalMetrics(few, 0.5, 0.8, 0.6),
    val: null,
    finishedAt: 0,
  };
}

describe('hparamsTable', () => {
  const runs = [
    run(3, 'euclidean', 0.4, 1),
    run(3, 'euclidean', 0.5, 2),
    run(10, 'euclidean', 0.2, 1),
    run(3, 'cosine', 0.7, 1),
    run(10, 'cosine', 0.6, 1),
  ];
  const table = hparamsTable(runs);

  it('has one row per config, named by its values, with mean ± std over its seeds and n', () => {
    expect(table.params).toEqual([
      { param: 'training.n_neighbors', name: 'k' },
      { param: 'training.nn_dist', name: 'dist' },
    ]);
    expect(table.configs.map((c) => [c.label, c.cells.few.n])).toEqual([
      ['k=3, dist=euclidean', 2],
      ['k=10, dist=euclidean', 1],
      ['k=3, dist=cosine', 1],
      ['k=10, dist=cosine', 1],
    ]);
    expect(table.configs[0].cells.few.mean).toBeCloseTo(45, 10);
    expect(table.configs[0].cells.few.std).toBeCloseTo(Math.sqrt(50), 10);
    expect(table.configs[1].cells.few.std).toBeNull();
    expect(table.configs[0].runIds).toEqual([runs[0].id, runs[1].id]);
  });

  it('places configs on numeric and categorical axes and filters by brushed intervals', () => {
    expect(axisValues(table, 'training.n_neighbors')).toEqual(['3', '10']);
    expect(axisValues(table, 'training.nn_dist')).toEqual(['cosine', 'euclidean']);
    const axes: HParamsAxis[] = [
      { kind: 'param', param: 'training.n_neighbors' },
      { kind: 'param', param: 'training.nn_dist' },
      { kind: 'metric', column: 'few' },
    ];
    expect(axisPosition(table, table.configs[1], axes[0])).toBe(10);
    expect(axisPosition(table, table.configs[1], axes[1])).toBe(1);
    const labels = (brushed: Map<number, [number, number][]>) =>
      brushedConfigs(table, axes, brushed).map((c) => c.label);
    expect(labels(new Map())).toHaveLength(4);
    expect(labels(new Map([[2, [[50, 100]]]]))).toEqual(['k=3, dist=cosine', 'k=10, dist=cosine']);
    expect(
      labels(
        new Map([
          [2, [[50, 100]]],
          [0, [[8, 12]]],
        ]),
      ),
    ).toEqual(['k=10, dist=cosine']);
    // Two intervals on one axis: either; a category axis by position.
    expect(
      labels(
        new Map([
          [1, [[0.5, 1.5]]],
          [
            2,
            [
              [10, 30],
              [40, 50],
            ],
          ],
        ]),
      ),
    ).toEqual(['k=3, dist=euclidean', 'k=10, dist=euclidean']);
    expect(labels(new Map([[2, []]]))).toHaveLength(4);
  });
});
