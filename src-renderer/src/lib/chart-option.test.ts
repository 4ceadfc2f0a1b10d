import type { LineSeriesOption } from 'echarts';
import { describe, expect, it } from 'vitest';
import {
  axisNumber,
  buildChartOption,
  linePoints,
  sameLines,
  smoothingUpdate,
  tooltipRows,
  type ChartLine,
} from './chart-option.ts';

const run = (values: number[], offset = 0) =>
  values.map((value, i) => ({ step: i + 1, wallTime: 1000 + i, value: value + offset }));
const single: ChartLine = { id: 'run1', label: 'A <b>', color: '#111', runIds: [1], runs: [run([4, 2, 3])] };
const group: ChartLine = { id: 'g', label: 'G', color: '#222', runIds: [2, 3], runs: [run([1, 2]), run([3, 4])] };
const settings = { smoothing: 0.5, xAxis: 'step' as const, logY: false };

function series(option: ReturnType<typeof buildChartOption>): LineSeriesOption[] {
  return option.series as LineSeriesOption[];
}

describe('buildChartOption', () => {
  it('draws each run as a faint raw line under its smoothed line', () => {
    const s = series(buildChartOption('loss', [single], settings));
    expect(s.map((x) => x.id)).toEqual(['raw', 'run1:smooth']);
    expect(s[0].data).toEqual([
      [1, 4],
      [2, 2],
      [3, 3],
    ]);
    expect(s[0].lineStyle?.opacity).toBeLessThan(0.5);
    expect(s[0].lineStyle?.color).toBe('#111');
    const smooth = s[1].data as number[][];
    expect(smooth[0]).toEqual([1, 4, 4, 1, 1]);
    expect(smooth[1][1]).toBeCloseTo((0.5 * 0.5 * 4 + 0.5 * 2) / 0.75, 12);
  });

  it('draws repeated runs as their mean with a ± std band, n at each step', () => {
    const s = series(buildChartOption('loss', [group], { ...settings, smoothing: 0 }));
    expect(s.map((x) => x.id)).toEqual(['g:lo', 'g:band', 'raw', 'g:smooth']);
    const sd = Math.SQRT2;
    expect(s[0].data).toEqual([
      [1, 2 - sd],
      [2, 3 - sd],
    ]);
    // The band series carries the height (hi − lo), stacked on the lower edge.
    const heights = (s[1].data as number[][]).map(([x, h]) => [x, h]);
    expect(heights[0][0]).toBe(1);
    expect(heights[0][1]).toBeCloseTo(2 * sd, 12);
    expect(heights[1][1]).toBeCloseTo(2 * sd, 12);
    expect(s[1].stack).toBe(s[0].stack);
    expect(linePoints(group, { ...settings, smoothing: 0 })).toEqual([
      [1, 2, 2, 1, 2],
      [2, 3, 3, 2, 2],
    ]);
  });

  it('draws the band only where the runs of a group share steps', () => {
    const ragged: ChartLine = { ...group, runs: [run([1, 2, 5]), run([3, 4])] };
    const s = series(buildChartOption('loss', [ragged], { ...settings, smoothing: 0 }));
    expect((s[0].data as number[][]).map(([x]) => x)).toEqual([1, 2]);
    expect(linePoints(ragged, { ...settings, smoothing: 0 }).map((p) => p[0])).toEqual([1, 2]);
  });

  it('shows a group with one point per run (test metrics at different steps) as one point with an error bar', () => {
    const tests: ChartLine = {
      ...group,
      runs: [[{ step: 4, wallTime: 10, value: 0.6 }], [{ step: 8, wallTime: 20, value: 0.8 }]],
    };
    const s = series(buildChartOption('test/accuracy', [tests], { ...settings, smoothing: 0 }));
    expect(s.map((x) => x.id)).toEqual(['g:err', 'raw', 'g:smooth']);
    const sd = Math.sqrt(0.02);
    const [[x0, lo], [x1, hi]] = s[0].data as number[][];
    expect([x0, x1]).toEqual([6, 6]);
    expect(lo).toBeCloseTo(0.7 - sd, 12);
    expect(hi).toBeCloseTo(0.7 + sd, 12);
    const points = s[2].data as number[][];
    expect(points).toHaveLength(1);
    expect(points[0][0]).toBe(6);
    expect(points[0][1]).toBeCloseTo(0.7, 12);
    expect(s[2].showSymbol).toBe(true);
  });

  it("draws every line's raw values as one grey series, the lines apart at a gap", () => {
    const other: ChartLine = { ...single, id: 'run2', color: '#333', runs: [run([5, 6])] };
    const s = series(buildChartOption('loss', [single, other], settings));
    expect(s.map((x) => x.id)).toEqual(['raw', 'run1:smooth', 'run2:smooth']);
    expect(s[0].data).toEqual([
      [1, 4],
      [2, 2],
      [3, 3],
      [Number.NaN, Number.NaN],
      [1, 5],
      [2, 6],
    ]);
    expect(s[0].lineStyle?.color).toBe('#888');
  });

  it('switches axes for log y and wall time', () => {
    const option = buildChartOption('loss', [single], { smoothing: 0, xAxis: 'wall', logY: true });
    expect(option.yAxis).toMatchObject({ type: 'log' });
    expect(option.xAxis).toMatchObject({ type: 'time' });
    expect((series(option)[1].data as number[][])[0][0]).toBe(1_000_000);
  });

  it('shows raw and smoothed values in the tooltip, with the label escaped', () => {
    const option = buildChartOption('loss', [single], settings);
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    const html = tooltip.formatter([
      { seriesId: 'run1:raw', seriesName: 'A <b> (raw)', value: [2, 2] },
      { seriesId: 'run1:smooth', seriesName: 'A <b>', color: '#111', value: [2, 2.667, 2, 2, 1] },
    ]);
    expect(html).toContain(
      '<tr><td><span style="color:#111">●</span> A &#60;b&#62;</td><td class="num"><b>2.667</b></td><td class="num">2.000</td><td class="num">2</td></tr>',
    );
    expect(html).not.toContain('(raw)');
  });
});

describe('tooltipRows', () => {
  it('lists every smoothed line at the hovered step, highest value first, without raw lines or bands', () => {
    const rows = tooltipRows([
      { seriesId: 'run1:raw', seriesName: 'A (raw)', color: '#111', value: [3, 0.9] },
      { seriesId: 'run1:smooth', seriesName: 'A', color: '#111', value: [3, 0.2, 0.25, 3, 1] },
      { seriesId: 'g:band', seriesName: 'G ±std', value: [3, 0.1] },
      { seriesId: 'g:smooth', seriesName: 'G', color: '#222', value: [3, 0.7, 0.6, 3, 2] },
      { seriesId: 'run4:smooth', seriesName: 'D', color: '#333', value: [3, Number.NaN, Number.NaN, 3, 1] },
      { seriesId: 'run5:smooth', seriesName: 'E', value: [3, 0.5, 0.5, 3, 1] },
    ]);
    expect(rows.map((r) => r.name)).toEqual(['G', 'E', 'A', 'D']);
    expect(rows[0]).toEqual({ name: 'G', color: '#222', smoothed: 0.7, raw: 0.6, step: 3, n: 2 });
    expect(rows[1].color).toBe('#888');
  });
});

describe('sameLines', () => {
  it('holds only for the same lines drawn from the same point arrays', () => {
    const copy = { ...single, runs: [...single.runs] };
    expect(sameLines([single, group], [copy, group])).toBe(true);
    expect(sameLines([single], [{ ...single, runs: [run([4, 2, 3])] }])).toBe(false);
    expect(sameLines([single], [{ ...single, label: 'other' }])).toBe(false);
    expect(sameLines([single], [single, group])).toBe(false);
  });
});

describe('smoothingUpdate', () => {
  it("carries only the smoothed lines' points, equal to those of the full option at that smoothing", () => {
    const full = series(buildChartOption('loss', [single, group], { ...settings, smoothing: 0.9 }));
    const at = { ...settings, smoothing: 0.9 };
    const update = smoothingUpdate([single, group], [linePoints(single, at), linePoints(group, at)])
      .series as LineSeriesOption[];
    expect(update).toEqual(
      full.filter((s) => String(s.id).endsWith(':smooth')).map((s) => ({ id: s.id, data: s.data })),
    );
  });
});

describe('axisNumber', () => {
  it("keeps a learning rate's ticks short: 3 significant digits, exponents for tiny and huge values", () => {
    expect(
      [0.000125, 0.00015, 0.0001, 0.001, 0.0125, 0.5, 2.25, 1234.5678, 250000, -0.00002, 0].map(axisNumber),
    ).toEqual(['1.25e-4', '1.5e-4', '1e-4', '0.001', '0.0125', '0.5', '2.25', '1230', '2.5e+5', '-2e-5', '0']);
  });
});
