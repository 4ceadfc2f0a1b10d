/**
 * ECharts' first chart costs several times what the next ones do, as its code is compiled while it
 * first runs (the Curves view's first chart took about 1 s on a loaded 2-core machine, the next ones
 * 0.1–0.3 s), and so does its first smoothing change. Drawing one chart of the Curves view's kind
 * off-screen once the app is idle, and changing its smoothing, moves that cost out of the first visit.
 */
import { init } from 'echarts/core';
import { buildChartOption, linePoints, smoothingUpdate, type ChartLine } from './chart-option.ts';
import './echarts.ts';
import { whenIdle } from './idle.ts';

/** A noisy falling loss, the same on every start. */
const points = (offset: number) =>
  Array.from({ length: POINTS }, (_, i) => ({
    step: i + 1,
    wallTime: 1_700_000_000 + i,
    value: 2 / (i + 1) + offset + 0.05 * Math.sin(i * 7 + offset * 13),
  }));
/**
 * Several lines of a few hundred points, as the charts of a few runs' batch losses: a chart of a few
 * short lines left the per-point code (smoothing, sampling, drawing) cold, and the first real chart
 * still cost three times the next.
 */
const POINTS = 300;
const LINES: ChartLine[] = [0, 1, 2, 3, 4, 5].map((i) => ({
  id: `warm-up${i}`,
  label: 'warm-up',
  color: '#1f77b4',
  runIds: [i],
  runs: [points(i / 10)],
}));

export function warmUpCharts(): void {
  const draw = () => {
    const chart = init(document.createElement('div'), undefined, { renderer: 'canvas', width: 400, height: 280 });
    const settings = { smoothing: 0.6, xAxis: 'step', logY: false } as const;
    chart.setOption(buildChartOption('warm-up', LINES, settings));
    const smoother = { ...settings, smoothing: 0.9 };
    chart.setOption(
      smoothingUpdate(
        LINES,
        LINES.map((line) => linePoints(line, smoother)),
      ),
    );
    chart.dispose();
  };
  whenIdle(draw);
}
