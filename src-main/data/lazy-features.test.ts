import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '../errors.ts';
import { featureRowReader, loadDataset, resolveDataset } from './dataset.ts';

const TOML = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt', 'datasets.toml');
let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-lazy-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('loadDataset lazyFeatures', () => {
  it('keeps features on disk: the same arrays on request, labels only in memory, a clear error once the cache is gone', async () => {
    const spec = resolveDataset('tinylt_synth', TOML);
    const cacheDir = path.join(tmp, 'cache');
    const eager = await loadDataset(spec, { cacheDir: null });
    const cold = await loadDataset(spec, { cacheDir, lazyFeatures: true });
    const warm = await loadDataset(spec, { cacheDir, lazyFeatures: true });
    for (const ds of [cold, warm]) {
      expect(ds.fingerprint).toBe(eager.fingerprint);
      for (const g of ['train', 'val', 'test']) {
        const grp = ds.datagrps[g];
        expect(Object.keys(grp)).not.toContain('feats');
        expect(grp.labels).toEqual(eager.datagrps[g].labels);
        expect(grp.n).toBe(eager.datagrps[g].n);
        expect(grp.feats).toEqual(eager.datagrps[g].feats);
        const dim = eager.dim;
        expect(featureRowReader(grp)?.(3, 4)).toEqual(eager.datagrps[g].feats.slice(3 * dim, 7 * dim));
        expect(() => featureRowReader(grp)?.(grp.n - 1, 2)).toThrow(RangeError);
      }
    }
    fs.rmSync(path.join(cacheDir, 'features'), { recursive: true });
    expect(() => warm.datagrps.val.feats).toThrow(FileFormatError);
    expect(() => warm.datagrps.val.feats).toThrow(/changed or vanished since the dataset was loaded/);
  });

  it('keeps features in memory when there is no cache folder', async () => {
    const ds = await loadDataset(resolveDataset('tinylt_synth', TOML), {
      cacheDir: null,
      lazyFeatures: true,
      datagrps: ['val'],
    });
    expect(Object.keys(ds.datagrps.val)).toContain('feats');
    expect(featureRowReader(ds.datagrps.val)).toBeNull();
  });
});
