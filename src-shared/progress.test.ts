import { describe, expect, it } from 'vitest';
import { phaseDoneLine, phaseLine } from './progress.ts';

describe('phase progress lines', () => {
  it('shows bytes done of the total, the percentage and the rate', () => {
    expect(phaseLine({ phase: 'reading train.pkl', done: 512e6, total: 950e6, unit: 'bytes' }, 4)).toBe(
      'reading train.pkl: 512 MB of 950 MB (53 %), 128 MB/s',
    );
    expect(phaseDoneLine({ phase: 'reading train.pkl', done: 1.52e9, total: 1.52e9, unit: 'bytes' }, 10)).toBe(
      'reading train.pkl: 1.52 GB in 10.0 s, 152 MB/s',
    );
  });

  it('shows rows with separators, and no rate before any time has passed', () => {
    expect(phaseLine({ phase: "pretrained scores of 'val'", done: 4096, total: 20000, unit: 'rows' }, 0)).toBe(
      "pretrained scores of 'val': 4,096 of 20,000 (20 %)",
    );
    expect(phaseDoneLine({ phase: 'x', done: 115846, total: 115846, unit: 'rows' }, 2)).toBe(
      'x: 115,846 in 2.0 s, 57,923 rows/s',
    );
  });
});
