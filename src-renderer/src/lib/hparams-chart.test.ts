import type { LineSeriesOption, ParallelSeriesOption, ScatterSeriesOption } from 'echarts';
import { describe, expect, it } from 'vitest';
import type { HParamsConfig, HParamsTable } from '../../../src-shared/hparams.ts';
import { hparamsAxes, parallelOption, scatterOption } from './hparams-chart.ts';

function config(k: number, dist: string, few: number, std: number | null): HParamsConfig {
  const cell = (mean: number) => ({ mean, std, n: std === null ? 1 : 2 });
  return {
    configHash: `${k}${dist}`,
    label: `k=${k}, dist=${dist}`,
    values: [
      { param: 'training.n_neighbors', name: 'k', value: k, text: String(k) },
      { param: 'training.nn_dist', name: 'dist', value: dist, text: dist },
    ],
    runIds: [k],
    cells: { few: cell(few), medium: cell(50), many: cell(80), overall: cell(60) },
  };
}

const table: HParamsTable = {
  params: [
    { param: 'training.n_neighbors', name: 'k' },
    { param: 'training.nn_dist', name: 'dist' },
  ],
  configs: [config(3, 'euclidean', 40, 2), config(10, 'cosine', 70, null)],
};

describe('HParams charts', () => {
  it('has an axis per swept parameter (value or category) and per metric, a line per config', () => {
    expect(hparamsAxes(table)).toHaveLength(6);
    const option = parallelOption(table, new Set(['3euclidean']));
    const axes = option.parallelAxis as { name: string; type: string; data?: string[] }[];
    expect(axes.map((a) => [a.name, a.type])).toEqual([
      ['k', 'value'],
      ['dist', 'category'],
      ['Few', 'value'],
      ['Med.', 'value'],
      ['Many', 'value'],
      ['Overall', 'value'],
    ]);
    expect(axes[1].data).toEqual(['cosine', 'euclidean']);
    const [series] = option.series as ParallelSeriesOption[];
    const data = series.data as { name: string; value: unknown[]; lineStyle: { width: number } }[];
    expect(data.map((d) => [d.name, d.value, d.lineStyle.width])).toEqual([
      ['k=3, dist=euclidean', [3, 'euclidean', 40, 50, 80, 60], 4],
      ['k=10, dist=cosine', [10, 'cosine', 70, 50, 80, 60], 2],
    ]);
  });

  it('scatters a parameter against a metric with ± std bars, gaps between configs', () => {
    const option = scatterOption(table, 'training.n_neighbors', 'few');
    const [bars, points] = option.series as [LineSeriesOption, ScatterSeriesOption];
    expect(bars.data).toEqual([[3, 38], [3, 42], '-', [10, 70], [10, 70], '-']);
    expect((points.data as { value: number[] }[]).map((d) => d.value)).toEqual([
      [3, 40, 2, 2],
      [10, 70, 0, 1],
    ]);
    expect(scatterOption(table, 'training.nn_dist', 'few').xAxis).toMatchObject({
      type: 'category',
      data: ['cosine', 'euclidean'],
    });
  });
});
