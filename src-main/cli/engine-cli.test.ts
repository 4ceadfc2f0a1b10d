import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from '../../src-shared/result.ts';
import { formatDuration, parseSeed, progressLine, splitTable } from './engine-cli.ts';

describe('engine CLI formatting', () => {
  it('prints the split table in %, one decimal, Few/Med./Many/Overall', () => {
    const m: EvalMetrics = {
      accuracy: 0.5833,
      top5: 0.9,
      f1: 0.5,
      per_split: { few: 0.215, medium: 0.69583, many: 0.875, overall: 0.5833 },
    };
    const table = splitTable([
      { name: 'Baseline', metrics: m },
      { name: 'AlphaNet', metrics: { ...m, per_split: { ...m.per_split, few: Number.NaN } } },
    ]);
    expect(table.split('\n')).toEqual([
      '               Few    Med.    Many Overall',
      'Baseline      21.5    69.6    87.5    58.3',
      'AlphaNet         –    69.6    87.5    58.3',
    ]);
  });

  it('draws a progress line with an ETA', () => {
    expect(progressLine({ epoch: 3, epochs: 25, batch: 5, nBatches: 10, loss: 0.43215, etaSeconds: 75 })).toBe(
      'epoch 3/25 [##########----------] 5/10 loss 0.4321 ETA 1m15s',
    );
    expect(formatDuration(4.2)).toBe('4s');
    expect(formatDuration(7300)).toBe('2h01m');
  });

  it('parses seeds', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed(undefined)).toBeUndefined();
    expect(() => parseSeed('1.5')).toThrow(/--seed/);
  });
});
