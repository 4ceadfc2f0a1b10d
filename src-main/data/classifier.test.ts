import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../src-shared/tensor.ts';
import { PyDict, type PyValue } from '../formats/pyvalue.ts';
import { combineExperts, expertEntries, linearFromValue, loadClassifier } from './classifier.ts';

function dict(entries: Record<string, PyValue>, pyClass?: string): PyDict {
  const d = new PyDict(pyClass);
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}
const f32 = (shape: number[], values: number[]): TensorData => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});

describe('linearFromValue', () => {
  it('reads weight and bias; None or a missing bias gives zeros', () => {
    const clf = linearFromValue(dict({ weight: f32([2, 3], [1, 2, 3, 4, 5, 6]), bias: f32([2], [7, 8]) }), 'c.pth');
    expect(clf).toMatchObject({ nClasses: 2, dim: 3, info: { hasBias: true, nExperts: 1, files: ['c.pth'] } });
    expect(Array.from(clf.bias)).toEqual([7, 8]);
    const noBias = linearFromValue(
      dict({ weight: f32([2, 1], [1, 2]), bias: null }, 'collections.OrderedDict'),
      'n.pth',
    );
    expect(Array.from(noBias.bias)).toEqual([0, 0]);
    expect(noBias.info.hasBias).toBe(false);
  });

  it('names the file and the problem', () => {
    expect(() => linearFromValue(dict({ w: f32([1, 1], [1]) }), 'k.pth')).toThrow(
      "k.pth: expected a dict with 'weight' (C × d) and 'bias' (C or None); found keys: 'w'",
    );
    expect(() => linearFromValue(dict({ weight: f32([2, 1], [1, 2]), bias: f32([3], [0, 0, 0]) }), 's.pth')).toThrow(
      /s\.pth: 'bias' has 3 entries but 'weight' has 2 rows/,
    );
    expect(() => linearFromValue(dict({ weight: f32([2], [1, 2]) }), 'r.pth')).toThrow(/r\.pth: 'weight' must be 2-D/);
  });
});

describe('combineExperts', () => {
  it('puts the experts side by side divided by their number and averages the biases', () => {
    const e0 = linearFromValue(dict({ weight: f32([2, 2], [1, 2, 3, 4]), bias: f32([2], [1, 3]) }), 'e0');
    const e1 = linearFromValue(dict({ weight: f32([2, 2], [5, 6, 7, 8]), bias: null }), 'e1');
    const clf = combineExperts([e0, e1], 'combined');
    expect(clf.dim).toBe(4);
    expect(Array.from(clf.weight)).toEqual([0.5, 1, 2.5, 3, 1.5, 2, 3.5, 4]);
    expect(Array.from(clf.bias)).toEqual([0.5, 1.5]);
    expect(clf.info).toEqual({
      loader: 'CombinedClassifierLoader',
      hasBias: true,
      nExperts: 2,
      files: ['combined', 'e0', 'e1'],
    });
    // logits of the combination = mean of the experts' logits on their slices.
    const x = [1, -1, 2, 0.5];
    const logit = (w: Float32Array, b: Float32Array, c: number, xs: number[], d: number) =>
      xs.reduce((s, v, j) => s + v * w[c * d + j], b[c]);
    for (let c = 0; c < 2; c++) {
      const mean = (logit(e0.weight, e0.bias, c, x.slice(0, 2), 2) + logit(e1.weight, e1.bias, c, x.slice(2), 2)) / 2;
      expect(logit(clf.weight, clf.bias, c, x, 4)).toBeCloseTo(mean, 6);
    }
  });

  it('refuses experts of different shapes', () => {
    const a = linearFromValue(dict({ weight: f32([2, 2], [1, 2, 3, 4]) }), 'a');
    const b = linearFromValue(dict({ weight: f32([2, 1], [1, 2]) }), 'b');
    expect(() => combineExperts([a, b], 'comb.pth')).toThrow('comb.pth: expert 1 (b) is 2 × 1 but expert 0 is 2 × 2');
    expect(() => combineExperts([], 'comb.pth')).toThrow(/lists no experts/);
  });
});

describe('expertEntries', () => {
  it('resolves expert paths against the combined file and checks each entry', () => {
    const entry = dict({ classifier_loader: 'LinearClassifierLoader', classifier_file: 'e0.pth' });
    expect(expertEntries([entry], '/data/clf/ride.pth')).toEqual([
      { loader: 'LinearClassifierLoader', file: '/data/clf/e0.pth' },
    ]);
    expect(() => expertEntries([dict({ classifier_file: 'e0.pth' })], '/r.pth')).toThrow(
      /\/r\.pth: entry 0: .*found keys: 'classifier_file'/,
    );
    expect(() => expertEntries([dict({ classifier_loader: 'X', classifier_file: 'e' })], '/r.pth')).toThrow(
      /classifier_loader 'X' is not one of/,
    );
    expect(() => expertEntries(dict({}), '/r.pth')).toThrow(/expected a list/);
  });
});

describe('loadClassifier on real files', () => {
  const FORMATS = path.resolve(import.meta.dirname, '../../test/fixtures/formats');
  const expected = JSON.parse(fs.readFileSync(path.join(FORMATS, 'expected.json'), 'utf8')) as {
    weight: number[][];
    bias: number[];
  };

  it.each(['clf.pth', 'clf_state_dict.pth', 'clf.safetensors', 'clf_nobias.pth'])('reads %s', async (name) => {
    const clf = await loadClassifier(path.join(FORMATS, name), 'LinearClassifierLoader');
    expect([clf.nClasses, clf.dim]).toEqual([3, 4]);
    expect(Array.from(clf.weight)).toEqual(expected.weight.flat());
    expect(Array.from(clf.bias)).toEqual(name.includes('nobias') ? [0, 0, 0] : expected.bias);
    expect(clf.info.hasBias).toBe(!name.includes('nobias'));
  });
});
