import { describe, expect, it } from 'vitest';
import { formatKeyValues, parseKeyValues } from './config.ts';

describe('parseKeyValues', () => {
  it('reads pairs separated by spaces (the form, the CLI) or commas (the original)', () => {
    expect(parseKeyValues(' lr=0.1  betas=0.9,0.99 ')).toEqual({ lr: '0.1', betas: '0.9,0.99' });
    expect(parseKeyValues('lr=0.1,betas=(0.9,0.99),weight_decay=0')).toEqual({
      lr: '0.1',
      betas: '(0.9,0.99)',
      weight_decay: '0',
    });
    expect(parseKeyValues('milestones=[5,10] gamma=0.5')).toEqual({ milestones: '[5,10]', gamma: '0.5' });
    expect(parseKeyValues('')).toEqual({});
  });

  it('names the item that is not key=value', () => {
    expect(() => parseKeyValues('=1')).toThrow("'=1' is not key=value");
    expect(() => parseKeyValues('lr=0.1 oops')).toThrow("'oops' is not key=value");
  });

  it('reads back what formatKeyValues writes, with either separator', () => {
    const values = { lr: '0.1', betas: '0.9,0.99', step_sizes: '(1e-06,50)' };
    expect(parseKeyValues(formatKeyValues(values))).toEqual(values);
    expect(parseKeyValues(formatKeyValues(values, ' '))).toEqual(values);
  });
});
