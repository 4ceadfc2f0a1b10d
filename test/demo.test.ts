import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLITS, type SplitName } from '../src-shared/dataset.ts';
import type { TensorData } from '../src-shared/tensor.ts';
import { resolveDataset } from '../src-main/data/config.ts';
import { PyDict, isTensor, type PyValue } from '../src-main/formats/pyvalue.ts';
import { readPythonFile, toFloat32, toIntArray } from '../src-main/formats/read.ts';
import { DEMO_KEY, DEMO_PROPER_NAME, writeDemo, type DemoGenInfo } from '../scripts/demo/build.ts';
import { predict, splitAccuracy, splitOfTrainSize } from '../scripts/demo/generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEMO = path.join(ROOT, 'resources', 'demo');
const SYNSETS = path.join(ROOT, 'resources', 'imagenet1k-synset_words.txt');
const info = JSON.parse(fs.readFileSync(path.join(DEMO, 'gen_info.json'), 'utf8')) as DemoGenInfo;

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    );
}

function dictOf(value: PyValue, file: string): PyDict {
  if (!(value instanceof PyDict)) throw new Error(`${file}: expected a dict`);
  return value;
}

function tensorOf(dict: PyDict, key: string): TensorData {
  const t = dict.get(key);
  if (!isTensor(t)) throw new Error(`expected a tensor under '${key}'`);
  return t;
}

async function readFeatures(grp: string): Promise<{ feats: TensorData; labels: number[]; idxs: TensorData }> {
  const file = path.join(DEMO, 'features', `${grp}.pkl`);
  const dict = dictOf(await readPythonFile(file), file);
  return {
    feats: tensorOf(dict, 'feats'),
    labels: toIntArray(dict.get('labels'), file, 'labels'),
    idxs: tensorOf(dict, 'idxs'),
  };
}

const readIds = (file: string): number[] => fs.readFileSync(file, 'utf8').trim().split('\n').map(Number);

describe('the bundled demo dataset', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-demo-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('regenerates byte for byte from scripts/make-demo.ts, and gen_info.json hashes the committed files', async () => {
    const out = path.join(tmp, 'regen');
    await writeDemo(out, SYNSETS);
    const listed = [...Object.keys(info.sha256), 'gen_info.json'].sort();
    expect(filesUnder(out).sort()).toEqual(listed);
    for (const rel of listed) expect([rel, sha256(path.join(DEMO, rel))]).toEqual([rel, sha256(path.join(out, rel))]);
    for (const [rel, hash] of Object.entries(info.sha256))
      expect([rel, sha256(path.join(DEMO, rel))]).toEqual([rel, hash]);
  });

  it('names 100 distinct ImageNet classes with their synset lines, in sorted wnid order', () => {
    const imagenet = new Set(
      fs
        .readFileSync(SYNSETS, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    const lines = fs.readFileSync(path.join(DEMO, 'label_names.txt'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(100);
    const wnids = lines.map((l) => l.slice(0, 9));
    expect(wnids.every((w) => /^n\d{8}$/.test(w))).toBe(true);
    expect(new Set(wnids).size).toBe(100);
    expect([...wnids].sort()).toEqual(wnids);
    for (const line of lines) expect(imagenet.has(line), line).toBe(true);
  });

  it('has splits that follow the rule on the train labels and cover every class once', async () => {
    const { labels } = await readFeatures('train');
    const counts = new Array<number>(100).fill(0);
    for (const y of labels) counts[y]++;
    expect(counts).toEqual(info.train_size_per_class);
    const seen: number[] = [];
    for (const split of SPLITS) {
      const ids = readIds(path.join(DEMO, 'splits', `${split}.txt`));
      for (const c of ids) expect([c, splitOfTrainSize(counts[c])]).toEqual([c, split]);
      seen.push(...ids);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const nPerSplit = (s: SplitName): number => readIds(path.join(DEMO, 'splits', `${s}.txt`)).length;
    expect(nPerSplit('few')).toBeGreaterThanOrEqual(15);
    expect(nPerSplit('few')).toBeLessThanOrEqual(25);
    expect(nPerSplit('medium')).toBeGreaterThanOrEqual(35);
    expect(nPerSplit('many')).toBeGreaterThanOrEqual(30);
    expect(labels.length).toBeGreaterThanOrEqual(8000);
    expect(labels.length).toBeLessThanOrEqual(12000);
  });

  it('reads back in the original format: float32 feats, int labels, arange idxs, a 100 × 64 linear classifier', async () => {
    for (const [grp, n] of [
      ['train', info.n_train],
      ['val', 1000],
      ['test', 3000],
    ] as const) {
      const { feats, labels, idxs } = await readFeatures(grp);
      expect([grp, feats.dtype, feats.shape]).toEqual([grp, 'float32', [n, 64]]);
      expect(labels).toHaveLength(n);
      expect(idxs.dtype).toBe('int64');
      expect(Array.from(idxs.data as BigInt64Array, Number)).toEqual(Array.from({ length: n }, (_, i) => i));
      // Rows are shuffled: the labels are not sorted into blocks.
      expect(labels.some((y, i) => i > 0 && y < labels[i - 1])).toBe(true);
    }
    const file = path.join(DEMO, 'classifier.pth');
    const clf = dictOf(await readPythonFile(file), file);
    expect(tensorOf(clf, 'weight').shape).toEqual([100, 64]);
    expect(tensorOf(clf, 'bias').shape).toEqual([100]);
  });

  it('has a baseline that favours many-shot classes, leaving AlphaNet room on the few ones', async () => {
    const file = path.join(DEMO, 'classifier.pth');
    const clf = dictOf(await readPythonFile(file), file);
    const { feats, labels } = await readFeatures('test');
    const splitOf = info.train_size_per_class.map(splitOfTrainSize);
    const acc = splitAccuracy(
      predict(toFloat32(feats), labels.length, toFloat32(tensorOf(clf, 'weight')), toFloat32(tensorOf(clf, 'bias'))),
      labels,
      splitOf,
    );
    expect(acc).toEqual(info.baseline_acc.test);
    expect(acc.few).toBeGreaterThan(0.15);
    expect(acc.few).toBeLessThan(0.35);
    expect(acc.many).toBeGreaterThan(0.7);
    expect(acc.many).toBeLessThan(0.9);
    expect(acc.medium).toBeGreaterThan(acc.few);
    expect(acc.many).toBeGreaterThan(acc.medium);
  });

  it('places each pinned few class (e.g. Eskimo dog) next to a many-shot anchor of its group', () => {
    const wnids = fs
      .readFileSync(path.join(DEMO, 'label_names.txt'), 'utf8')
      .split('\n')
      .map((l) => l.slice(0, 9));
    const groupOf = new Map(Object.entries(info.groups).flatMap(([g, ids]) => ids.map((id) => [id, g] as const)));
    expect(info.pinned_few_anchors).toContainEqual(['n02109961', 'n02110185']);
    for (const [few, anchor] of info.pinned_few_anchors) {
      const f = wnids.indexOf(few);
      const a = wnids.indexOf(anchor);
      expect(splitOfTrainSize(info.train_size_per_class[f])).toBe('few');
      expect(splitOfTrainSize(info.train_size_per_class[a])).toBe('many');
      expect(info.few_class_anchor[String(f)]).toBe(a);
    }
    for (const [few, anchor] of Object.entries(info.few_class_anchor))
      expect(groupOf.get(Number(few))).toBe(groupOf.get(anchor));
  });

  it('is what `demo` resolves to, every path inside resources/demo, and stays small', () => {
    const saved = process.env.ALPHANET_DATA_DIR;
    process.env.ALPHANET_DATA_DIR = path.join(tmp, 'appdata');
    try {
      const spec = resolveDataset(DEMO_KEY, undefined, tmp);
      expect(spec.properName).toBe(DEMO_PROPER_NAME);
      expect(spec.classifierLoader).toBe('LinearClassifierLoader');
      for (const p of [spec.splitFilesDir, spec.featureFilesDir, spec.classifierFile, spec.labelNamesFile]) {
        expect(p !== null && p.startsWith(DEMO + path.sep) && fs.existsSync(p), String(p)).toBe(true);
      }
      expect(spec.nnFilesDir.startsWith(DEMO + path.sep)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.ALPHANET_DATA_DIR;
      else process.env.ALPHANET_DATA_DIR = saved;
    }
    const bytes = filesUnder(DEMO).reduce((sum, rel) => sum + fs.statSync(path.join(DEMO, rel)).size, 0);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });
});
