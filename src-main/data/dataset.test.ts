import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetLoadProgress, LoadedDataset } from '../../src-shared/dataset.ts';
import { loadClassifier } from './classifier.ts';
import { readDatasetsToml } from './config.ts';
import { datasetIdentity, loadDataset, resolveDataset } from './dataset.ts';
import { validateDataset } from './validate.ts';
import { copyTinylt, TINYLT } from '../../test/support/tinylt.ts';

const TOML = path.join(TINYLT, 'datasets.toml');
const genInfo = JSON.parse(fs.readFileSync(path.join(TINYLT, 'gen_info.json'), 'utf8')) as {
  n_train: number;
  n_val: number;
  n_test: number;
  n_classes_per_split: Record<string, number>;
  n_train_imgs_per_split: Record<string, number>;
  min_max_train_per_split: Record<string, [number, number]>;
  train_size_per_class: number[];
};
const expected = JSON.parse(fs.readFileSync(path.join(TINYLT, 'expected.json'), 'utf8')) as {
  baseline: { test: { metrics: { accuracy: number } } };
  baseline_ride: { test: { metrics: { accuracy: number } } };
};

function accuracy(ds: LoadedDataset, grp: string): number {
  const { feats, labels, n } = ds.datagrps[grp];
  const { weight, bias } = ds.classifier;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = -1;
    for (let c = 0; c < ds.nClasses; c++) {
      let z = bias[c];
      for (let j = 0; j < ds.dim; j++) z += feats[i * ds.dim + j] * weight[c * ds.dim + j];
      if (z > best) [best, arg] = [z, c];
    }
    if (arg === labels[i]) correct++;
  }
  return correct / n;
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ds-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('loadDataset on tinylt', () => {
  it('loads the linear dataset through its datasets.toml', async () => {
    const ds = await loadDataset(resolveDataset('tinylt_synth', TOML), { cacheDir: null });
    expect(ds.nClasses).toBe(30);
    expect(ds.dim).toBe(32);
    expect(Object.fromEntries(Object.entries(ds.datagrps).map(([g, d]) => [g, d.n]))).toEqual({
      train: genInfo.n_train,
      val: genInfo.n_val,
      test: genInfo.n_test,
    });
    expect(ds.datagrps.train.feats.length).toBe(genInfo.n_train * 32);
    const perClass = new Array<number>(30).fill(0);
    for (const l of ds.datagrps.train.labels) perClass[l]++;
    expect(perClass).toEqual(genInfo.train_size_per_class);
    expect({ many: ds.splits.many.length, medium: ds.splits.medium.length, few: ds.splits.few.length }).toEqual(
      genInfo.n_classes_per_split,
    );
    expect(ds.splitOf.length).toBe(30);
    expect(ds.labelNames?.[0]).toBe('class_0000');
    expect(ds.wnids).toBeNull();
    expect(ds.classifierInfo).toMatchObject({ loader: 'LinearClassifierLoader', hasBias: true, nExperts: 1 });
    expect(ds.warnings).toEqual([]);
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The classifier reproduces the original's baseline accuracy on these features.
    expect(accuracy(ds, 'test')).toBeCloseTo(expected.baseline.test.metrics.accuracy, 10);
  });

  it('combines the RIDE experts as the original does', async () => {
    const ds = await loadDataset(resolveDataset('tinylt_synth_ride', TOML), { cacheDir: null, datagrps: ['test'] });
    const dir = path.join(TINYLT, 'classifiers');
    const e = await Promise.all(
      [0, 1].map((i) => loadClassifier(path.join(dir, `synth_ride_e${i}.pth`), 'LinearClassifierLoader')),
    );
    expect(e[0].dim).toBe(16);
    expect(ds.classifierInfo).toMatchObject({ loader: 'CombinedClassifierLoader', nExperts: 2 });
    expect(ds.classifierInfo.files.slice(1)).toEqual(e.map((x) => x.info.files[0]));
    for (let c = 0; c < 30; c++) {
      for (let j = 0; j < 32; j++) {
        expect(ds.classifier.weight[c * 32 + j]).toBe(Math.fround(e[j >> 4].weight[c * 16 + (j & 15)] / 2));
      }
      expect(ds.classifier.bias[c]).toBeCloseTo((e[0].bias[c] + e[1].bias[c]) / 2, 6);
    }
    expect(accuracy(ds, 'test')).toBeCloseTo(expected.baseline_ride.test.metrics.accuracy, 10);
    expect(Object.keys(ds.datagrps)).toEqual(['test']);
  });

  it("validates with the generator's counts", async () => {
    const report = await validateDataset(resolveDataset('tinylt_synth', TOML), { cacheDir: null });
    expect(report.errors).toEqual([]);
    expect(report.usable).toBe(true);
    expect(report).toMatchObject({
      n_classes: 30,
      dim: 32,
      splits_cover_labels: true,
      label_names: true,
      wordnet_ids: false,
    });
    expect(report.datagrps.train).toEqual({
      n_samples: genInfo.n_train,
      n_files: 1,
      n_classes: 30,
      nan_count: 0,
      inf_count: 0,
    });
    expect(report.datagrps.val.n_samples).toBe(genInfo.n_val);
    expect(report.datagrps.test.n_samples).toBe(genInfo.n_test);
    for (const split of ['many', 'medium', 'few'] as const) {
      expect(report.splits[split]).toEqual({
        n_classes: genInfo.n_classes_per_split[split],
        n_train_samples: genInfo.n_train_imgs_per_split[split],
        min_class_size: genInfo.min_max_train_per_split[split][0],
        max_class_size: genInfo.min_max_train_per_split[split][1],
      });
    }
    const ride = await validateDataset(resolveDataset('tinylt_synth_ride', TOML), { cacheDir: null });
    expect(ride.classifier).toEqual({
      n_classes: 30,
      dim: 32,
      has_bias: true,
      loader: 'CombinedClassifierLoader',
      n_experts: 2,
    });
    expect(ride.usable).toBe(true);
  });
});

describe('datasetIdentity', () => {
  it('gives the fingerprints, splits and names a load gives, without the features; a copy elsewhere has the same content fingerprint', async () => {
    for (const key of ['tinylt_synth', 'tinylt_synth_ride']) {
      const ds = await loadDataset(resolveDataset(key, TOML), { cacheDir: null });
      const facts = await datasetIdentity(resolveDataset(key, TOML));
      expect(facts).toEqual({
        spec: ds.spec,
        fingerprint: ds.fingerprint,
        contentFingerprint: ds.contentFingerprint,
        splits: ds.splits,
        labelNames: ds.labelNames,
        classifierInfo: ds.classifierInfo,
      });
    }
    const copy = copyTinylt(path.join(tmp, 'elsewhere'));
    const moved = await datasetIdentity(resolveDataset('tinylt_synth', path.join(copy, 'datasets.toml')));
    const here = await datasetIdentity(resolveDataset('tinylt_synth', TOML));
    expect(moved.contentFingerprint).toBe(here.contentFingerprint);
    expect(moved.fingerprint).not.toBe(here.fingerprint);
  });
});

describe('converted cache', () => {
  it('serves the second load from the cache with identical arrays, and rebuilds when a source changes', async () => {
    const dir = copyTinylt(path.join(tmp, 'tinylt'));
    const spec = readDatasetsToml(path.join(dir, 'datasets.toml')).specs[0];
    const cacheDir = path.join(tmp, 'cache');
    const load = async () => {
      const events: DatasetLoadProgress[] = [];
      const ds = await loadDataset(spec, { cacheDir, onProgress: (p) => events.push(p) });
      const cached = Object.fromEntries(events.filter((e) => e.stage === 'features').map((e) => [e.datagrp, e.cached]));
      expect(events[events.length - 1].done).toBe(events[events.length - 1].total);
      return { ds, cached };
    };
    const first = await load();
    expect(first.cached).toEqual({ train: false, val: false, test: false });
    const second = await load();
    expect(second.cached).toEqual({ train: true, val: true, test: true });
    for (const g of ['train', 'val', 'test']) {
      expect(second.ds.datagrps[g].feats).toEqual(first.ds.datagrps[g].feats);
      expect(second.ds.datagrps[g].labels).toEqual(first.ds.datagrps[g].labels);
    }
    expect(second.ds.fingerprint).toBe(first.ds.fingerprint);

    // A touch (new mtime) invalidates val only.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'features/synth/val.pkl'), later, later);
    const third = await load();
    expect(third.cached).toEqual({ train: true, val: false, test: true });
    expect(third.ds.fingerprint).not.toBe(first.ds.fingerprint);
    // The content fingerprint identifies the data wherever it lies and whenever it was written.
    expect(third.ds.contentFingerprint).toBe(first.ds.contentFingerprint);
    expect(third.ds.datagrps.val.feats).toEqual(first.ds.datagrps.val.feats);

    // Other content (test's bytes in val's place) is picked up, and only one entry per datagrp remains.
    fs.copyFileSync(path.join(dir, 'features/synth/test.pkl'), path.join(dir, 'features/synth/val.pkl'));
    const fourth = await load();
    expect(fourth.cached.val).toBe(false);
    expect(fourth.ds.datagrps.val.n).toBe(genInfo.n_test);
    expect(fourth.ds.datagrps.val.feats).toEqual(first.ds.datagrps.test.feats);
    expect(fourth.ds.contentFingerprint).not.toBe(first.ds.contentFingerprint);
    const groups = fs.readdirSync(path.join(cacheDir, 'features'));
    expect(groups.length).toBe(3);
    for (const g of groups) expect(fs.readdirSync(path.join(cacheDir, 'features', g)).length).toBe(1);
  });

  it('treats a damaged cache entry as a miss', async () => {
    const spec = resolveDataset('tinylt_synth', TOML);
    const cacheDir = path.join(tmp, 'cache');
    const first = await loadDataset(spec, { cacheDir, datagrps: ['val'] });
    const [group] = fs.readdirSync(path.join(cacheDir, 'features'));
    const [entry] = fs.readdirSync(path.join(cacheDir, 'features', group));
    const data = path.join(cacheDir, 'features', group, entry, 'data.bin');
    // A temp folder a crashed writer left an hour ago is cleared by the next write; a fresh one is kept.
    const crashed = path.join(cacheDir, 'features', group, '.tmp-crashed');
    const fresh = path.join(cacheDir, 'features', group, '.tmp-fresh');
    fs.mkdirSync(crashed);
    fs.mkdirSync(fresh);
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(crashed, hourAgo, hourAgo);
    fs.truncateSync(data, 100);
    const events: DatasetLoadProgress[] = [];
    const again = await loadDataset(spec, { cacheDir, datagrps: ['val'], onProgress: (p) => events.push(p) });
    expect(events.find((e) => e.stage === 'features')?.cached).toBe(false);
    // A parsed file reports its bytes as they are read, up to its size.
    const bytes = events.flatMap((e) => (e.bytes ? [e.bytes] : []));
    const size = fs.statSync(path.join(TINYLT, 'features', 'synth', 'val.pkl')).size;
    expect(bytes.at(-1)).toEqual({ done: size, total: size });
    expect(again.datagrps.val.feats).toEqual(first.datagrps.val.feats);
    expect(fs.statSync(data).size).toBe(genInfo.n_val * 33 * 4);
    expect(fs.readdirSync(path.join(cacheDir, 'features', group)).sort()).toEqual(['.tmp-fresh', entry]);
  });
});
