/**
 * Progress of the slow phases before and around training (reading feature files, pretrained scores and
 * class means, …), and how the CLI prints it: pure formatting here, the terminal handling at the edge.
 */

export interface PhaseProgress {
  /** What is being done, e.g. `reading train.pkl` or `pretrained scores of 'val'`. */
  phase: string;
  done: number;
  total: number;
  unit: 'bytes' | 'rows';
}

function amount(n: number, unit: PhaseProgress['unit']): string {
  if (unit === 'rows') return n.toLocaleString('en-US');
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)} MB`;
  return `${(n / 1e3).toFixed(0)} kB`;
}

function rate(done: number, seconds: number, unit: PhaseProgress['unit']): string {
  if (!(seconds > 0)) return '';
  const perSecond = done / seconds;
  return unit === 'bytes'
    ? `, ${(perSecond / 1e6).toFixed(0)} MB/s`
    : `, ${Math.round(perSecond).toLocaleString('en-US')} rows/s`;
}

/** A phase under way: `reading train.pkl: 512 MB of 950 MB (54 %), 104 MB/s`. */
export function phaseLine(p: PhaseProgress, seconds: number): string {
  const pct = p.total > 0 ? ` (${Math.floor((100 * p.done) / p.total)} %)` : '';
  return `${p.phase}: ${amount(p.done, p.unit)} of ${amount(p.total, p.unit)}${pct}${rate(p.done, seconds, p.unit)}`;
}

/** A phase done: `reading train.pkl: 950 MB in 9.1 s, 104 MB/s`. */
export function phaseDoneLine(p: PhaseProgress, seconds: number): string {
  return `${p.phase}: ${amount(p.total, p.unit)} in ${seconds.toFixed(1)} s${rate(p.total, seconds, p.unit)}`;
}
