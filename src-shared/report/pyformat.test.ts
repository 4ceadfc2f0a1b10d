import { describe, expect, it } from 'vitest';
import { pyFixed, pyGeneral } from './pyformat.ts';

// Expected strings are what CPython 3.11 prints for format(x, spec).
describe('Python float formatting', () => {
  it('rounds exact ties to even, as Python does and JS toFixed does not', () => {
    expect([0.125, 0.375, 2.675, 1.005, -0.125].map((x) => pyFixed(x, 2))).toEqual([
      '0.12',
      '0.38',
      '2.67',
      '1.00',
      '-0.12',
    ]);
    expect([0.25, 0.35, 12.5].map((x) => pyFixed(x, 1))).toEqual(['0.2', '0.3', '12.5']);
    expect((0.125).toFixed(2)).toBe('0.13');
  });

  it('formats .2g like Python: fixed or scientific, trailing zeros removed', () => {
    const cases: [number, string][] = [
      [0.125, '0.12'],
      [0.5, '0.5'],
      [9.96, '10'],
      [99.6, '1e+02'],
      [123, '1.2e+02'],
      [0.0001234, '0.00012'],
      [0.00001234, '1.2e-05'],
      [-0.35, '-0.35'],
      [0, '0'],
      [-0, '-0'],
      [1e22, '1e+22'],
      [5e-324, '4.9e-324'],
      [NaN, 'nan'],
      [-Infinity, '-inf'],
    ];
    for (const [x, want] of cases) expect(pyGeneral(x, 2)).toBe(want);
    expect(pyGeneral(1 / 3, 6)).toBe('0.333333');
    expect(pyFixed(1e21, 2)).toBe('1000000000000000000000.00');
  });
});
