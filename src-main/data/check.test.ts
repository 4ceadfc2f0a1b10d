import { describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import type { LinearClassifier } from './classifier.ts';
import { checkDataset, type DatasetParts } from './dataset.ts';
import type { ConvertedDatagrp } from './features.ts';

const spec: DatasetSpec = {
  key: 'toy',
  properName: 'toy',
  splitFilesDir: '/d/splits',
  featureFilesDir: '/d/feats',
  classifierFile: '/d/clf.pth',
  classifierLoader: 'LinearClassifierLoader',
  nnFilesDir: '/d/nns',
  baselineEvalFile: '/d/base.pkl',
  labelNamesFile: '/d/names.txt',
  datagrps: ['train', 'test'],
  configFile: '/d/datasets.toml',
};
const splitFiles = { many: '/d/splits/many.txt', medium: '/d/splits/medium.txt', few: '/d/splits/few.txt' };

function grp(
  name: string,
  labels: number[],
  dim = 2,
  extra: Partial<ConvertedDatagrp['shards'][0]> = {},
): ConvertedDatagrp {
  return {
    feats: new Float32Array(labels.length * dim),
    labels: Int32Array.from(labels),
    n: labels.length,
    dim,
    shards: [
      {
        file: `/d/feats/${name}.pkl`,
        n: labels.length,
        nanCount: 0,
        infCount: 0,
        idxsIdentity: true,
        otherKeys: [],
        ...extra,
      },
    ],
  };
}
function clf(nClasses: number, dim: number, nExperts = 1): LinearClassifier {
  return {
    weight: new Float32Array(nClasses * dim),
    bias: new Float32Array(nClasses),
    nClasses,
    dim,
    info: {
      loader: nExperts > 1 ? 'CombinedClassifierLoader' : 'LinearClassifierLoader',
      hasBias: true,
      nExperts,
      files: ['/d/clf.pth'],
    },
  };
}
function parts(overrides: Partial<DatasetParts> = {}): DatasetParts {
  return {
    spec,
    splitFiles,
    splitIds: { many: [0], medium: [1], few: [2] },
    labelNames: { names: ['a', 'b', 'c'], wnids: null, warnings: [] },
    classifier: clf(3, 2),
    datagrps: { train: grp('train', [0, 0, 1, 2]), test: grp('test', [0, 1, 2]) },
    ...overrides,
  };
}

describe('checkDataset', () => {
  it('passes a consistent dataset', () => {
    const check = checkDataset(parts());
    expect(check).toMatchObject({ nClasses: 3, dim: 2, errors: [], warnings: [] });
    expect(check.splitCheck?.splitOf).toEqual(['many', 'medium', 'few']);
  });

  it('names the shard with labels outside the classes and labels in no split', () => {
    const check = checkDataset(
      parts({ splitIds: { many: [0], medium: [1], few: [] }, datagrps: { train: grp('train', [0, 1, 2, 5, 5]) } }),
    );
    expect(check.errors).toContain('/d/feats/train.pkl: 2 rows with labels outside 0..2 (5)');
    expect(check.errors).toContain('/d/feats/train.pkl: class 2 is used as labels but in no split file (/d/splits)');
  });

  it('reports NaN and Inf counts per file', () => {
    const check = checkDataset(
      parts({ datagrps: { train: grp('train', [0, 1, 2], 2, { nanCount: 3, infCount: 1 }) } }),
    );
    expect(check.errors).toEqual(['3 NaN values in /d/feats/train.pkl', '1 infinite values in /d/feats/train.pkl']);
  });

  it('compares the classifier dim with the features, explaining the combined case', () => {
    expect(checkDataset(parts({ classifier: clf(3, 5) })).errors[0]).toBe(
      '/d/clf.pth: the classifier takes 5-dim features, but the features in /d/feats have 2 dims',
    );
    expect(checkDataset(parts({ classifier: clf(3, 4, 2) })).errors[0]).toMatch(
      /combined classifier of 2 experts expects their features concatenated: 2 × 2/,
    );
  });

  it('checks label-name count, missing train classes (error) and missing test classes (warning)', () => {
    const check = checkDataset(
      parts({
        labelNames: { names: ['a', 'b'], wnids: null, warnings: [] },
        datagrps: { train: grp('train', [0, 1]), test: grp('test', [0, 1, 2], 2, { idxsIdentity: false }) },
      }),
    );
    expect(check.errors).toContain('/d/names.txt: 2 label names but 3 classes');
    expect(check.errors.join('\n')).toMatch(
      /'train' \(train\.pkl\): class 2 is without samples \(every class needs training features\)/,
    );
    expect(check.warnings.join('\n')).toMatch(/'test': idxs is not 0\.\.n−1 in \/d\/feats\/test\.pkl/);
  });

  it('works without a classifier (counts from the splits) and flags mismatched datagrp dims', () => {
    const check = checkDataset(
      parts({ classifier: undefined, datagrps: { train: grp('train', [0, 1, 2]), test: grp('test', [0, 1, 2], 3) } }),
    );
    expect(check.nClasses).toBe(3);
    expect(check.errors).toEqual(["/d/feats/test.pkl: 'test' features have 3 dims but 'train' has 2"]);
  });
});
