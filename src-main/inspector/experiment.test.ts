import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { plotCsv, PLOT_NAMES, type InspectorData } from '../../src-shared/inspector.ts';
import { demoConfigFile } from '../data/config.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { openStore, type OpenedStore } from '../store/open.ts';
import { recordedBaselineRun, recordedTrainRun } from '../runs/record-run.ts';
import { loadWordNet } from '../wordnet.ts';
import { inspectExperiment } from './experiment.ts';

const EXPERIMENT = 'demo inspect';
const ESKIMO_DOG = 32; // n02109961, few
const SIBERIAN_HUSKY = 34; // n02110185, many
let tmp: string;
let opened: OpenedStore;
let ds: LoadedDataset;
let data: InspectorData;
let baselineRunId: number;
const savedEnv = process.env.ALPHANET_DATA_DIR;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-inspect-'));
  process.env.ALPHANET_DATA_DIR = path.join(tmp, 'app');
  ds = await loadDataset(resolveDataset('demo', demoConfigFile()), {
    cacheDir: null,
    datagrps: ['train', 'val', 'test'],
  });
  opened = openStore(path.join(tmp, 'runs.sqlite'), tmp);
  baselineRunId = (await recordedBaselineRun(opened.store, ds, { backend: 'cpu' })).runId;
  const config = defaultRunConfig('demo');
  config.training.train_epochs = 4;
  config.training.min_epochs = 2;
  for (const seed of [5, 6])
    await recordedTrainRun(opened.store, ds, config, { seed, experiment: EXPERIMENT, backend: 'cpu' });
  data = await inspectExperiment(opened.store, ds, { experiment: EXPERIMENT, cacheRoot: null, mistakeN: null });
}, 120_000);

afterAll(() => {
  opened.db.close();
  if (savedEnv === undefined) delete process.env.ALPHANET_DATA_DIR;
  else process.env.ALPHANET_DATA_DIR = savedEnv;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('inspectExperiment on the demo dataset', () => {
  it('gathers the runs, the recorded baseline and per-class rows, as plain JSON', () => {
    expect(data.dataset).toEqual({ key: 'demo', displayName: ds.spec.properName, nClasses: 100, wordnet: true });
    expect(data.runs.map((r) => r.seed)).toEqual([5, 6]);
    expect(data.baselineRunId).toBe(baselineRunId);
    expect(data.fewClasses.map((f) => f.classId)).toEqual(ds.splits.few);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    const eskimo = data.classes[ESKIMO_DOG]!;
    expect(eskimo).toMatchObject({ name: 'Eskimo dog', split: 'few', testSamples: 30 });
    expect(eskimo.trainSamples).toBe(ds.datagrps.train!.labels.filter((y) => y === ESKIMO_DOG).length);
    const recorded = opened.store.getRun(baselineRunId)!.test!;
    expect(data.baseline.overall).toBeCloseTo(recorded.accuracy, 12);
    expect(data.baseline.few).toBeCloseTo(recorded.per_split.few, 12);
  });

  it("shows a confusion's WordNet path distance and lowest common hypernym (Eskimo dog vs Siberian husky)", () => {
    const eskimo = data.fewClasses.find((f) => f.classId === ESKIMO_DOG)!;
    const husky = [...eskimo.baselineMistakes, ...eskimo.alphanetMistakes, ...eskimo.reverseConfusions].find(
      (c) => c.classId === SIBERIAN_HUSKY,
    );
    expect(husky, 'the demo confuses Eskimo dogs with Siberian huskies').toBeDefined();
    expect(husky!.split).toBe('many');
    expect(eskimo.synset!.wnid).toBe('n02109961');
    expect(husky!.wordnet!.lowestCommonHypernyms.map((h) => h.name)).toEqual(['working dog']);
    expect(husky!.wordnet!.lowestCommonHypernyms[0]!.gloss).toMatch(/dog/);
    const wn = loadWordNet();
    expect(husky!.wordnet!.pathDistance).toBe(wn.shortestPathDistance('n02109961', 'n02110185'));
    expect(husky!.wordnet!.pathDistance).toBe(3);
    expect(husky!.wordnet!.level).toBe(wn.commonHypernymLevel('n02109961', 'n02110185'));
  });

  it("lists each few class's combination with neighbour distances, and the plots", () => {
    for (const f of data.fewClasses) {
      expect(f.combination).toHaveLength(5);
      expect(f.combination.every((t) => t.split !== 'few' && t.distance !== null && t.alphaPerRun.length === 2)).toBe(
        true,
      );
      // Nearest first.
      const d = f.combination.map((t) => t.distance!);
      expect([...d].sort((a, b) => a - b)).toEqual(d);
    }
    const p = data.plots;
    expect(p.deltaVsDistance.points).toHaveLength(ds.splits.few.length);
    expect(p.deltaVsDistance.fit.r).not.toBeNull();
    expect(p.predictionChanges.total).toBe(2 * 30 * ds.splits.few.length);
    expect(p.semanticPredictionChanges!.total).toBe(p.predictionChanges.total);
    const sem = p.semanticAccuracy!;
    expect(sem.level).toBe(4);
    // Counting near misses as right can only raise accuracy.
    expect(sem.baseline.overall!).toBeGreaterThanOrEqual(data.baseline.overall!);
    expect(sem.alphanetMean.few!).toBeGreaterThanOrEqual(data.alphanet.few!);
    for (const name of PLOT_NAMES) expect(plotCsv(p, name)).toMatch(/\n.+\n/);
  });

  it("counts the semantic accuracy with the original's measure (common-hypernym level ≤ 4)", () => {
    const wn = loadWordNet();
    const wnids = ds.wnids!;
    const { labels, top5 } = opened.store.getPredictions(baselineRunId)!;
    let right = 0;
    for (let i = 0; i < labels.length; i++) {
      const [y, yhat] = [labels[i]!, top5[i * 5]!];
      const level = wn.commonHypernymLevel(wnids[y]!, wnids[yhat]!);
      if (y === yhat || (level !== null && level <= 4)) right++;
    }
    const sem = data.plots.semanticAccuracy!;
    expect(sem.baseline.overall).toBeCloseTo(right / labels.length, 12);
    expect(sem.baseline.overall!).toBeGreaterThan(data.baseline.overall!);
  });
});
