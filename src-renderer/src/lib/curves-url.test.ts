import { describe, expect, it } from 'vitest';
import { CURVES_DEFAULTS, curvesQuery, parseCurvesQuery, type CurvesState } from './curves-url.ts';

describe('the Curves link', () => {
  it('leaves defaults out and round-trips every setting', () => {
    expect(curvesQuery({ ...CURVES_DEFAULTS, runs: [] })).toEqual({});
    const state: CurvesState = {
      runs: [3, 12],
      smoothing: 0.95,
      xAxis: 'wall',
      logY: true,
      groupRepeats: true,
      openGroups: ['loss', 'alphas'],
      runFilter: 'rho=0.5|seed 2',
    };
    const query = curvesQuery(state);
    expect(query).toEqual({
      runs: '3,12',
      smoothing: '0.95',
      x: 'wall',
      logy: '1',
      group: '1',
      open: 'loss,alphas',
      filter: 'rho=0.5|seed 2',
    });
    expect(parseCurvesQuery(Object.fromEntries(new URLSearchParams(new URLSearchParams(query).toString())))).toEqual(
      state,
    );
  });

  it('ignores bad values of a hand-edited link and keeps what it does not carry', () => {
    expect(parseCurvesQuery({ runs: '4,x,-1,2.5,7', smoothing: '2', x: 'sideways' })).toEqual({ runs: [4, 7] });
    expect(parseCurvesQuery({ smoothing: '' })).toEqual({});
    expect(parseCurvesQuery({ smoothing: '0', open: '' })).toEqual({ smoothing: 0, openGroups: [] });
    expect(parseCurvesQuery({})).toEqual({});
  });
});
