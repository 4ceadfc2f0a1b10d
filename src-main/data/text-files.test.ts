import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import { checkSplits, parseLabelNames, parseSplitFile } from './text-files.ts';

const files = { many: 'splits/many.txt', medium: 'splits/medium.txt', few: 'splits/few.txt' };

describe('parseSplitFile', () => {
  it('reads one id per line, CRLF and trailing blank lines included', () => {
    expect(parseSplitFile('3\r\n 1 \n2\n\n\n', 'f.txt').ids).toEqual([3, 1, 2]);
    expect(parseSplitFile('', 'f.txt').ids).toEqual([]);
  });
  it('rejects a blank line between ids, naming the file and line', () => {
    expect(() => parseSplitFile('1\n\n2\n', 'splits/few.txt')).toThrow(/splits\/few\.txt: line 2 is blank/);
  });
  it('rejects a non-integer, naming the line', () => {
    const call = () => parseSplitFile('1\n2\nthree\n', 'splits/many.txt');
    expect(call).toThrow(FileFormatError);
    expect(call).toThrow(/splits\/many\.txt: line 3: 'three'/);
    expect(() => parseSplitFile('-1\n', 'x')).toThrow(/line 1/);
    expect(() => parseSplitFile('1.5\n', 'x')).toThrow(/line 1/);
  });
  it('warns about a repeated id and keeps one', () => {
    const { ids, warnings } = parseSplitFile('4\n5\n4\n', 'x.txt');
    expect(ids).toEqual([4, 5]);
    expect(warnings[0]).toMatch(/class 4 is listed twice \(lines 1 and 3\)/);
  });
});

describe('checkSplits', () => {
  it('accepts disjoint splits covering 0..C−1 and sorts them', () => {
    const check = checkSplits({ many: [3, 0], medium: [1], few: [4, 2] }, 5, files);
    expect(check.errors).toEqual([]);
    expect(check.covers).toBe(true);
    expect(check.splits).toEqual({ many: [0, 3], medium: [1], few: [2, 4] });
    expect(check.splitOf).toEqual(['many', 'medium', 'few', 'many', 'few']);
  });
  it('names classes in no split, overlaps and ids beyond the classifier', () => {
    const check = checkSplits({ many: [0, 1], medium: [1], few: [7] }, 4, files);
    expect(check.covers).toBe(false);
    expect(check.errors.join('\n')).toMatch(/splits\/few\.txt: class 7 is not a class of the classifier/);
    expect(check.errors.join('\n')).toMatch(/splits\/medium\.txt: class 1 is also in splits\/many\.txt/);
    expect(check.errors.join('\n')).toMatch(/classes 2, 3 are in no split file/);
  });
});

describe('parseLabelNames', () => {
  it('keeps plain names whole', () => {
    expect(parseLabelNames('cat\n\n dog \n', 'n.txt')).toEqual({ names: ['cat', 'dog'], wnids: null, warnings: [] });
  });
  it('splits WordNet ids off when every line has one', () => {
    const parsed = parseLabelNames('n02109961 Eskimo dog, husky\nn01440764 tench, Tinca tinca\n', 'n.txt');
    expect(parsed.wnids).toEqual(['n02109961', 'n01440764']);
    expect(parsed.names).toEqual(['Eskimo dog, husky', 'tench, Tinca tinca']);
  });
  it('warns when only some lines have ids', () => {
    const parsed = parseLabelNames('n02109961 Eskimo dog\nplain\n', 'n.txt');
    expect(parsed.wnids).toBeNull();
    expect(parsed.names).toEqual(['n02109961 Eskimo dog', 'plain']);
    expect(parsed.warnings[0]).toMatch(/n\.txt: only 1 of 2 lines/);
  });
  it('rejects an empty file', () => {
    expect(() => parseLabelNames('\n \n', 'n.txt')).toThrow(/n\.txt: no label names/);
  });
});
