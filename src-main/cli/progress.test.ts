import { describe, expect, it } from 'vitest';
import type { CliIO } from './command.ts';
import { phasePrinter } from './progress.ts';

/** A printer whose clock advances `stepMs` per update. */
function capture(isTTY: boolean, stepMs: number) {
  const lines: string[] = [];
  const drawn: string[] = [];
  const io: CliIO = { out: (t) => void lines.push(t), err: (t) => void lines.push(t), isTTY, cwd: '/' };
  let now = 0;
  return {
    lines,
    drawn,
    show: phasePrinter(
      io,
      (t) => void drawn.push(t),
      () => (now += stepMs),
    ),
  };
}

describe('phasePrinter', () => {
  it('prints one line per phase, when it ends, when not on a terminal', () => {
    const { lines, drawn, show } = capture(false, 600);
    for (const done of [0, 1e6, 2e6]) show({ phase: 'reading a.pkl', done, total: 2e6, unit: 'bytes' });
    for (const done of [0, 2, 5]) show({ phase: "pretrained scores of 'val'", done, total: 5, unit: 'rows' });
    expect(drawn).toEqual([]);
    expect(lines).toEqual(['reading a.pkl: 2 MB in 1.2 s, 2 MB/s', "pretrained scores of 'val': 5 in 1.2 s, 4 rows/s"]);
  });

  it('leaves out phases shorter than a second', () => {
    const { lines, show } = capture(false, 10);
    for (const done of [0, 1, 2]) show({ phase: 'quick', done, total: 2, unit: 'rows' });
    expect(lines).toEqual([]);
  });

  it('redraws one line in place on a terminal, then clears it for the summary', () => {
    const { lines, drawn, show } = capture(true, 50);
    show({ phase: 'reading a.pkl', done: 0, total: 2e9, unit: 'bytes' });
    show({ phase: 'reading a.pkl', done: 1e9, total: 2e9, unit: 'bytes' }); // within the redraw interval: skipped
    for (let i = 0; i < 20; i++) show({ phase: 'reading a.pkl', done: 2e9 - 1, total: 2e9, unit: 'bytes' });
    show({ phase: 'reading a.pkl', done: 2e9, total: 2e9, unit: 'bytes' });
    expect(drawn.slice(0, 2)).toEqual([
      '\rreading a.pkl: 0 kB of 2.00 GB (0 %)\x1b[K',
      '\rreading a.pkl: 2.00 GB of 2.00 GB (99 %), 20000 MB/s\x1b[K',
    ]);
    expect(drawn).toHaveLength(12);
    expect(drawn.at(-1)).toBe('\r\x1b[K');
    expect(lines).toEqual(['reading a.pkl: 2.00 GB in 1.1 s, 1818 MB/s']);
  });
});
