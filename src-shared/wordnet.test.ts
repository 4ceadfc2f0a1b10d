import { describe, expect, it } from 'vitest';
import {
  WORDNET_COMPACT_MAGIC,
  WordNet,
  WordNetError,
  type WordNetRecord,
  classNamesFor,
  formatWordNetCompact,
  parseDataNoun,
  parseSynsetWords,
  parseWordNetCompact,
} from './wordnet.ts';

/*
 * A small hierarchy with a diamond, an instance edge and a second root:
 *        1 root            9 other root
 *       / \                 |
 *      2   3               10
 *       \ / \
 *        4   5 ·· 6 (instance of 5)
 */
const rec = (offset: number, lemma: string, hypernyms: number[], instanceHypernyms: number[] = []): WordNetRecord => ({
  offset,
  lemmas: [lemma, `${lemma} too`],
  gloss: `the ${lemma}; "an example"`,
  hypernyms,
  instanceHypernyms,
});
const RECORDS = [
  rec(1, 'root', []),
  rec(2, 'left', [1]),
  rec(3, 'right', [1]),
  rec(4, 'both', [2, 3]),
  rec(5, 'leaf', [3]),
  rec(6, 'thing', [], [5]),
  rec(9, 'other', []),
  rec(10, 'apart', [9]),
];
const w = (n: number) => 'n' + String(n).padStart(8, '0');

describe('compact format', () => {
  it('round-trips records', () => {
    const text = formatWordNetCompact(RECORDS);
    expect(text.split('\n')[0]).toBe(WORDNET_COMPACT_MAGIC);
    expect(text.split('\n')[4]).toBe('00000004\tboth|both too\t00000002,00000003\t\tthe both; "an example"');
    expect(parseWordNetCompact(text)).toEqual(RECORDS);
  });

  it('rejects malformed text with the line number', () => {
    expect(() => parseWordNetCompact('hello\n')).toThrow(WordNetError);
    expect(() => parseWordNetCompact(`${WORDNET_COMPACT_MAGIC}\n00000001\troot\t\tgloss\n`)).toThrow(
      'line 2: expected 5 tab-separated fields, found 4',
    );
    expect(() => parseWordNetCompact(`${WORDNET_COMPACT_MAGIC}\n00000001\troot\t12\t\tgloss\n`)).toThrow(
      'line 2: bad offset "12"',
    );
    expect(() => formatWordNetCompact([{ ...rec(1, 'a|b', []) }])).toThrow(/holds a separator/);
  });
});

describe('parseDataNoun', () => {
  const header = '  1 License text.  \n  2   \n';
  const line = (offset: string, rest: string) => `${offset} 05 n ${rest}  \n`;

  it('reads the license, lemmas, noun hypernym pointers and gloss', () => {
    const first = line(
      String(header.length).padStart(8, '0'),
      '02 big_cat 0 cat 1 003 @ 00000001 n 0000 @i 00000002 n 0000 ~ 00000003 n 0000 | a cat; "big"',
    );
    const { license, records } = parseDataNoun(header + first);
    expect(license).toEqual(['License text.', '']);
    expect(records).toEqual([
      {
        offset: header.length,
        lemmas: ['big cat', 'cat'],
        gloss: 'a cat; "big"',
        hypernyms: [1],
        instanceHypernyms: [2],
      },
    ]);
  });

  it('rejects an offset that is not the line position', () => {
    expect(() => parseDataNoun(header + line('00000000', '01 cat 0 000 | x'))).toThrow(
      `data.noun, line at byte ${header.length}: offset field "00000000"`,
    );
    expect(() => parseDataNoun(line('00000000', '01 cat 0 002 @ 00000001 n 0000 | x'))).toThrow('bad p_cnt "002"');
  });
});

describe('WordNet queries', () => {
  const wn = new WordNet(RECORDS);

  it('lists every path through a diamond, root first', () => {
    expect(wn.hypernymPaths(w(4))).toEqual([
      [w(1), w(2), w(4)],
      [w(1), w(3), w(4)],
    ]);
    expect(wn.hypernymPaths(w(6))).toEqual([[w(1), w(3), w(5), w(6)]]);
    expect(wn.canonicalHypernymPath(w(6))).toEqual([w(1), w(3), w(5), w(6)]);
    expect(wn.maxDepth(w(6))).toBe(3);
  });

  it('follows instance edges and returns null without a common hypernym', () => {
    expect(wn.shortestPathDistance(w(6), w(4))).toBe(3);
    expect(wn.shortestPathDistance(w(2), w(3))).toBe(2);
    expect(wn.shortestPathDistance(w(4), w(10))).toBeNull();
    expect(wn.lowestCommonHypernyms(w(4), w(10))).toEqual([]);
    expect(wn.commonHypernymLevel(w(4), w(10))).toBeNull();
  });

  it('picks the deepest common hypernyms', () => {
    expect(wn.lowestCommonHypernyms(w(4), w(6))).toEqual([w(3)]);
    expect(wn.lowestCommonHypernyms(w(2), w(3))).toEqual([w(1)]);
    expect(wn.commonHypernymLevel(w(6), w(4))).toBe(2);
  });

  it('refuses dangling pointers, cycles and bad wnids', () => {
    expect(() => new WordNet([rec(1, 'a', [7])])).toThrow('synset n00000001 points to missing hypernym n00000007');
    expect(() => new WordNet([rec(1, 'a', [2]), rec(2, 'b', [3]), rec(3, 'c', [1])])).toThrow(/hypernym cycle/);
    expect(() => wn.name('dog')).toThrow('"dog" is not a wnid');
  });
});

describe('classNamesFor', () => {
  const wn = new WordNet(RECORDS);
  let loads = 0;
  const source = {
    wordnet: () => {
      loads++;
      return wn;
    },
    imagenetWnids: () => Array.from({ length: 1000 }, (_, i) => w((i % 8) + 1 + (i % 8 >= 6 ? 2 : 0))),
  };

  it('keeps plain label names without loading WordNet', () => {
    expect(classNamesFor(['cat', '', ' dog '], 2, source)).toEqual(['cat', 'dog']);
    expect(loads).toBe(0);
  });

  it('names wnid labels from WordNet, else from their own text', () => {
    expect(
      classNamesFor(['n00000004 both, both too', 'n00000005', 'n00000077 unknown, x', 'n00000078'], 4, source),
    ).toEqual(['both', 'leaf', 'unknown', 'n00000078']);
  });

  it('falls back to ImageNet order for 1000 unlabelled classes, else to ids', () => {
    const names = classNamesFor(null, 1000, source);
    expect(names.slice(0, 9)).toEqual(['root', 'left', 'right', 'both', 'leaf', 'thing', 'other', 'apart', 'root']);
    expect(classNamesFor(null, 2, source)).toEqual(['0', '1']);
    expect(() => classNamesFor(['a'], 2, source)).toThrow(
      'the label file has 1 non-empty lines but the dataset has 2 classes',
    );
  });
});

describe('parseSynsetWords', () => {
  it('reads wnid and lemma lines and rejects others', () => {
    expect(parseSynsetWords('n02109961 Eskimo dog, husky\n\n')).toEqual([
      { wnid: 'n02109961', lemmas: ['Eskimo dog', 'husky'] },
    ]);
    expect(() => parseSynsetWords('n02109961 ok\n2109961 bad\n')).toThrow('line 2');
  });
});
