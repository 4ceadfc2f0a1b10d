import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import type { TensorData } from '../../src-shared/tensor.ts';
import { copyTinylt } from '../../test/support/tinylt.ts';
import { UserError } from '../errors.ts';
import { PyDict, type PyValue } from '../formats/pyvalue.ts';
import { readPythonFile } from '../formats/read.ts';
import { writePlainPickleWithTensors, writeTorchZip } from '../formats/write.ts';
import { readDatasetsToml } from './config.ts';
import { loadDataset } from './dataset.ts';
import { validateDataset } from './validate.ts';

let tmp: string;
let dir: string;
let spec: DatasetSpec;
const train = () => path.join(dir, 'features/synth/train.pkl');

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-bad-'));
  dir = copyTinylt(path.join(tmp, 'tinylt'));
  spec = readDatasetsToml(path.join(dir, 'datasets.toml')).specs[0];
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function dict(entries: Record<string, PyValue>): PyDict {
  const d = new PyDict();
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}
const f32 = (shape: number[], data: Float32Array): TensorData => ({ dtype: 'float32', shape, data });

/** Validation fails with an error matching `pattern`, and loading rejects with it too. */
async function expectUnusable(pattern: RegExp): Promise<string[]> {
  const report = await validateDataset(spec, { cacheDir: null });
  expect(report.usable).toBe(false);
  expect(report.errors.join('\n')).toMatch(pattern);
  await expect(loadDataset(spec, { cacheDir: null })).rejects.toThrow(UserError);
  await expect(loadDataset(spec, { cacheDir: null })).rejects.toThrow(pattern);
  return report.errors;
}

function rewrite(file: string, edit: (text: string) => string): void {
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
}

describe('devices and FIFOs in a dataset are refused by name, at once', () => {
  const fifo = () => {
    const file = path.join(tmp, 'pipe');
    execFileSync('mkfifo', [file]);
    return file;
  };

  it('label_names_file = "/dev/zero"', async () => {
    rewrite(path.join(dir, 'datasets.toml'), (t) =>
      t.replace('label_names_file = "label_names.txt"', 'label_names_file = "/dev/zero"'),
    );
    spec = readDatasetsToml(path.join(dir, 'datasets.toml')).specs[0];
    await expectUnusable(/\/dev\/zero: label names file is a character device, not a regular file/);
  });

  it('a FIFO as the classifier, a split file and a feature shard', async () => {
    const pipe = fifo();
    for (const file of ['classifiers/synth.pth', 'splits/many.txt', 'features/synth/train.pkl']) {
      fs.rmSync(path.join(dir, file));
      fs.symlinkSync(pipe, path.join(dir, file));
    }
    const errors = (await validateDataset(spec, { cacheDir: null })).errors.join('\n');
    expect(errors).toMatch(/synth\.pth: file is a named pipe \(FIFO\), not a regular file/);
    expect(errors).toMatch(/many\.txt: split file is a named pipe/);
    // (The shard listing takes regular files only, so the FIFO shard is not even opened.)
    expect(errors).toMatch(/no feature files for 'train'/);
    await expect(loadDataset(spec, { cacheDir: null })).rejects.toThrow(UserError);
  });

  it('a datasets config that is a FIFO', () => {
    const pipe = fifo();
    expect(() => readDatasetsToml(pipe)).toThrow(/datasets config is a named pipe/);
  });
});

describe('bad datasets give errors naming the file', () => {
  it('wrong dict keys in a feature shard, listing the keys found', async () => {
    await writePlainPickleWithTensors(train(), dict({ features: f32([2, 32], new Float32Array(64)), targets: [0, 1] }));
    await expectUnusable(
      /train\.pkl: expected a dict with keys 'feats', 'labels' \(and optionally 'idxs'\); found keys: 'features', 'targets'/,
    );
  });

  it('feats/labels length mismatch', async () => {
    await writePlainPickleWithTensors(
      train(),
      dict({ feats: f32([5, 32], new Float32Array(160)), labels: [0, 1, 2, 3] }),
    );
    await expectUnusable(/train\.pkl: 'feats' has 5 rows but 'labels' has 4 entries/);
  });

  it('NaN and infinite features, with counts', async () => {
    const value = (await readPythonFile(train())) as PyDict;
    const feats = value.get('feats') as TensorData<'float32'>;
    const data = Float32Array.from(feats.data);
    data[0] = NaN;
    data[100] = NaN;
    data[7] = -Infinity;
    value.entries.set('feats', f32(feats.shape, data));
    await writePlainPickleWithTensors(train(), value);
    const errors = await expectUnusable(/2 NaN values in .*train\.pkl/);
    expect(errors.join('\n')).toMatch(/1 infinite values in .*train\.pkl/);
    expect((await validateDataset(spec, { cacheDir: null })).datagrps.train).toMatchObject({
      nan_count: 2,
      inf_count: 1,
    });
  });

  it('a classifier whose d differs from the features', async () => {
    await writeTorchZip(spec.classifierFile, dict({ weight: f32([30, 16], new Float32Array(480)), bias: null }));
    await expectUnusable(/synth\.pth: the classifier takes 16-dim features, but the features in .* have 32 dims/);
  });

  it('a split file with a blank line in the middle', async () => {
    rewrite(path.join(dir, 'splits/few.txt'), (t) => t.replace('\n', '\n\n'));
    await expectUnusable(/few\.txt: line 2 is blank/);
  });

  it('a split file with an unknown class', async () => {
    rewrite(path.join(dir, 'splits/many.txt'), (t) => `${t.trimEnd()}\n45\n`);
    await expectUnusable(/many\.txt: class 45 is not a class of the classifier \(classes are 0\.\.29\)/);
  });

  it('labels in no split file', async () => {
    const few = fs.readFileSync(path.join(dir, 'splits/few.txt'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(dir, 'splits/few.txt'), `${few.slice(1).join('\n')}\n`);
    const errors = await expectUnusable(
      new RegExp(`train\\.pkl: class ${few[0]} is used as labels but in no split file`),
    );
    expect(errors.join('\n')).toMatch(new RegExp(`class ${few[0]} is in no split file`));
  });

  it('labels outside 0..C−1', async () => {
    await writePlainPickleWithTensors(
      path.join(dir, 'features/synth/val_extra.pkl'),
      dict({ feats: f32([2, 32], new Float32Array(64)), labels: [3, 77] }),
    );
    await expectUnusable(/val_extra\.pkl: 1 row with labels outside 0\.\.29 \(77\)/);
  });

  it('missing files: a shard set, the classifier, a split file', async () => {
    fs.rmSync(path.join(dir, 'features/synth/val.pkl'));
    fs.rmSync(spec.classifierFile);
    fs.rmSync(path.join(dir, 'splits/many.txt'));
    const errors = await expectUnusable(/no feature files for 'val' \(expected val\*\.pkl\)/);
    expect(errors.join('\n')).toMatch(/synth\.pth: file not found/);
    expect(errors.join('\n')).toMatch(/many\.txt: split file not found/);
    const report = await validateDataset(spec, { cacheDir: null });
    expect(Object.keys(report.datagrps)).toEqual(['train', 'val', 'test']);
    expect(report.datagrps.val.n_samples).toBe(0);
  });

  it('a truncated pickle and a file that is no pickle at all', async () => {
    const bytes = fs.readFileSync(train());
    fs.writeFileSync(train(), bytes.subarray(0, bytes.length >> 1));
    await expectUnusable(/train\.pkl: truncated/);
    fs.writeFileSync(train(), 'feats,labels\n1,2\n');
    await expectUnusable(/train\.pkl: not a pickle/);
  });

  it('WordNet label names: split off, and unknown ids only warn', async () => {
    const names = Array.from({ length: 30 }, (_, c) => (c === 3 ? 'n99999999 nothing' : `n02109961 Eskimo dog ${c}`));
    fs.writeFileSync(path.join(dir, 'label_names.txt'), `${names.join('\n')}\n`);
    const report = await validateDataset(spec, { cacheDir: null });
    expect(report).toMatchObject({ usable: true, label_names: true, wordnet_ids: true });
    expect(report.warnings.join('\n')).toMatch(
      /label_names\.txt: 1 of 30 WordNet ids are not WordNet 3\.0 noun synsets \(n99999999\)/,
    );
    const ds = await loadDataset(spec, { cacheDir: null, datagrps: ['train'] });
    expect(ds.wnids?.[0]).toBe('n02109961');
    expect(ds.labelNames?.[1]).toBe('Eskimo dog 1');
  });

  it('a missing expert of a combined classifier', async () => {
    const ride = readDatasetsToml(path.join(dir, 'datasets.toml')).specs[1];
    fs.rmSync(path.join(dir, 'classifiers/synth_ride_e1.pth'));
    const report = await validateDataset(ride, { cacheDir: null });
    expect(report.errors.join('\n')).toMatch(/synth_ride_e1\.pth: file not found/);
  });
});
