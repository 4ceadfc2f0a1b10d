/** The CLI's display of slow phases (PhaseProgress): the terminal side of src-shared/progress.ts. */
import { phaseDoneLine, phaseLine, type PhaseProgress } from '../../src-shared/progress.ts';
import type { CliIO } from './command.ts';

/** Redraws of the in-place line per second at most. */
const REDRAW_MS = 100;
/** Phases shorter than this get no summary line (a cache hit or a tiny dataset: noise). */
const SUMMARY_MIN_S = 1;

/**
 * A PhaseProgress listener: on a terminal, one line on stderr redrawn in place as the phase goes, then
 * its summary; otherwise only the summary, one line per phase. A phase ends when done reaches total.
 */
export function phasePrinter(
  io: CliIO,
  redraw: (text: string) => void = (text) => process.stderr.write(text),
  clock: () => number = () => performance.now(),
): (p: PhaseProgress) => void {
  let current: { phase: string; started: number; drawn: number } | null = null;
  return (p) => {
    const now = clock();
    if (current?.phase !== p.phase) current = { phase: p.phase, started: now, drawn: Number.NEGATIVE_INFINITY };
    const seconds = (now - current.started) / 1000;
    if (p.done >= p.total) {
      if (io.isTTY) redraw('\r\x1b[K');
      if (seconds >= SUMMARY_MIN_S) io.out(phaseDoneLine(p, seconds));
      current = null;
    } else if (io.isTTY && now - current.drawn >= REDRAW_MS) {
      current.drawn = now;
      redraw(`\r${phaseLine(p, seconds)}\x1b[K`);
    }
  };
}
