import { describe, expect, it } from 'vitest';
import { COMPARE_DEFAULTS, compareQuery, parseCompareQuery, type CompareState } from './compare-url.ts';

const roundTrip = (q: Record<string, string>) =>
  Object.fromEntries(new URLSearchParams(new URLSearchParams(q).toString()));

describe('the Compare link', () => {
  it('leaves defaults out and round-trips every setting through a URL', () => {
    expect(compareQuery(COMPARE_DEFAULTS)).toEqual({});
    const state: CompareState = {
      selected: { demo: ['experiment:a, b & c', 'experiment:x/config:abc'], other: ['experiment:y'] },
      metric: 'f1',
      datagrp: 'val',
      showDelta: true,
      reference: 'a, b & c',
      sortBy: { column: 'few', descending: false },
      exportFormat: 'markdown',
      exportStyle: 'sup',
    };
    const query = compareQuery(state);
    expect(query).toMatchObject({
      metric: 'f1',
      grp: 'val',
      delta: '1',
      ref: 'a, b & c',
      sort: 'few,asc',
      fmt: 'markdown',
      style: 'sup',
    });
    expect(parseCompareQuery(roundTrip(query))).toEqual(state);
    expect(
      parseCompareQuery(roundTrip(compareQuery({ ...state, sortBy: { column: 'overall', descending: true } }))).sortBy,
    ).toEqual({ column: 'overall', descending: true });
  });

  it('keeps a chosen empty selection apart from one that follows the data', () => {
    const none = compareQuery({ ...COMPARE_DEFAULTS, selected: { demo: [] } });
    expect(none).toEqual({ sel: '{}' });
    expect(parseCompareQuery(none)).toEqual({ selected: {} });
    expect(parseCompareQuery({})).toEqual({});
    // The same choice in any order gives one link.
    expect(compareQuery({ ...COMPARE_DEFAULTS, selected: { b: ['1'], a: ['2'] } })).toEqual(
      compareQuery({ ...COMPARE_DEFAULTS, selected: { a: ['2'], b: ['1'] } }),
    );
  });

  it('ignores bad values of a hand-edited link', () => {
    expect(
      parseCompareQuery({
        sel: '{not json',
        metric: 'top9',
        grp: 'train',
        delta: 'yes',
        sort: 'few,sideways',
        fmt: 'pdf',
        style: 'bold',
      }),
    ).toEqual({});
    expect(parseCompareQuery({ sel: '{"demo":["g",3,null],"x":"y"}', sort: 'bogus' })).toEqual({
      selected: { demo: ['g'] },
    });
  });
});
