/**
 * Gathers an experiment's runs (test predictions, α̃, neighbours) and its baseline, from the store or
 * from result files as the original's scripts read them, for the inspector and the combinations report.
 */
import type { NNDist } from '../../src-shared/config.ts';
import type { DatasetSpec, LoadedDataset } from '../../src-shared/dataset.ts';
import { loadDataset } from '../data/dataset.ts';
import {
  buildInspectorData,
  InspectorDataError,
  type InspectorData,
  type InspectorOptions,
  type InspectorRunInput,
} from '../../src-shared/inspector.ts';
import { buildCombosInput, CombosDataError, type CombosInput } from '../../src-shared/report/combos.ts';
import type { AlphaEntry, SavedNetwork } from '../../src-shared/result.ts';
import { classDistances } from '../engine/neighbors.ts';
import { evaluateNetwork } from '../engine/network.ts';
import { baselineRun } from '../engine/run.ts';
import { datagrpMeans, type CacheRoot } from '../engine/scores.ts';
import type { BackendName } from '../engine/backend.ts';
import { UserError } from '../errors.ts';
import { datasetConfigOf } from '../runs/record-run.ts';
import type { RunRow, RunStore } from '../store/run-store.ts';
import { configLabels } from '../../src-shared/sweep.ts';
import { datasetClassNames, loadWordNet } from '../wordnet.ts';

/** What every consumer needs of an experiment: runs in a fixed order, all on the same test samples. */
export interface GatheredExperiment {
  experiment: string;
  testLabels: Int32Array;
  baseline: { runId: number | null; predictions: Int32Array };
  runs: InspectorRunInput[];
  /** Per few class: its neighbours, nearest first (the same in every run). */
  neighbours: Map<number, number[]>;
  nnDist: NNDist;
}

export interface GatherOptions {
  backend?: BackendName;
  cacheRoot?: CacheRoot;
}

function top1(top5: Int32Array, n: number): Int32Array {
  if (top5.length !== n * 5) throw new UserError(`expected ${n} × 5 top-5 predictions, found ${top5.length} values`);
  return Int32Array.from({ length: n }, (_, i) => top5[i * 5]!);
}

function sameLabels(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** α̃ (self coefficient dropped) and neighbours per few class, from a result's `alphas`. */
function splitAlphas(
  alphas: Record<string, AlphaEntry>,
  where: string,
): { alphas: Map<number, number[]>; neighbours: Map<number, number[]> } {
  const out = { alphas: new Map<number, number[]>(), neighbours: new Map<number, number[]>() };
  for (const [key, entry] of Object.entries(alphas)) {
    if (entry.alpha.length !== entry.neighbors.length + 1) {
      throw new UserError(
        `${where}: few class ${key} has ${entry.alpha.length} coefficients for ${entry.neighbors.length} neighbours`,
      );
    }
    out.alphas.set(Number(key), entry.alpha.slice(1));
    out.neighbours.set(Number(key), entry.neighbors);
  }
  return out;
}

function checkNeighbours(into: Map<number, number[]>, got: Map<number, number[]>, where: string): void {
  if (into.size === 0) {
    for (const [k, v] of got) into.set(k, v);
    return;
  }
  for (const [fc, nns] of into) {
    if (JSON.stringify(got.get(fc)) !== JSON.stringify(nns)) {
      throw new UserError(
        `${where}: few class ${fc} has other neighbours than the first run (runs of one experiment must share them)`,
      );
    }
  }
}

/** The pretrained classifier's top-1 test predictions, evaluated by the engine. */
async function engineBaseline(ds: LoadedDataset, testDatagrp: string, opts: GatherOptions): Promise<Int32Array> {
  const grp = ds.datagrps[testDatagrp];
  if (!grp) throw new UserError(`dataset '${ds.spec.key}' was loaded without its '${testDatagrp}' datagrp`);
  const { testTop5 } = await baselineRun(ds, {
    datagrps: [testDatagrp],
    testDatagrp,
    valDatagrp: null,
    backend: opts.backend,
    cacheRoot: opts.cacheRoot,
  });
  return top1(testTop5, grp.n);
}

/**
 * The finished training runs of `experiment` on `ds` from the store, with the baseline: the given
 * baseline run, else the dataset's newest finished baseline run, else the engine's evaluation.
 */
export async function gatherStoreExperiment(
  store: RunStore,
  ds: LoadedDataset,
  experiment: string,
  opts: GatherOptions & { baselineRunId?: number; configHash?: string } = {},
): Promise<GatheredExperiment> {
  const all = store.listRuns({ dataset: ds.spec.key, experiment, kind: 'train', status: 'done' });
  if (all.length === 0) {
    const any = store.listRuns({ experiment });
    const hint =
      any.length > 0 ? ` (its runs: ${[...new Set(any.map((r) => `${r.dataset}/${r.status}`))].join(', ')})` : '';
    throw new UserError(`no finished training runs of experiment '${experiment}' on dataset '${ds.spec.key}'${hint}`);
  }
  // Runs of different configs are never pooled: a sweep is read one config at a time.
  const configs = experimentConfigs(all);
  const chosen =
    opts.configHash === undefined
      ? configs.length === 1
        ? configs[0]
        : undefined
      : configs.find((c) => c.configHash === opts.configHash);
  if (!chosen) {
    const listed = configs.map((c) => `'${c.label}'`).join(', ');
    throw new UserError(
      opts.configHash === undefined
        ? `experiment '${experiment}' is a sweep of ${configs.length} configs (${listed}): choose one`
        : `experiment '${experiment}' has no finished runs of that config (its configs: ${listed})`,
    );
  }
  const rows = all.filter((r) => r.configHash === chosen.configHash);
  const runs: InspectorRunInput[] = [];
  const neighbours = new Map<number, number[]>();
  let testLabels: Int32Array | null = null;
  let testDatagrp = 'test';
  for (const row of rows) {
    const preds = store.getPredictions(row.id);
    if (!preds) throw new UserError(`run ${row.id} recorded no test predictions (recorded by an older version?)`);
    testDatagrp = preds.datagrp;
    if (testLabels === null) testLabels = preds.labels;
    else if (!sameLabels(testLabels, preds.labels))
      throw new UserError(`run ${row.id} was tested on other samples than run ${rows[0]!.id}`);
    const { alphas, neighbours: nns } = splitAlphas(store.exportRun(row.id).alphas, `run ${row.id}`);
    checkNeighbours(neighbours, nns, `run ${row.id}`);
    runs.push({ id: row.id, seed: row.seed, predictions: top1(preds.top5, preds.labels.length), alphas });
  }
  const labels = testLabels!;

  let baseline: GatheredExperiment['baseline'] | null = null;
  const baselineRows =
    opts.baselineRunId !== undefined
      ? [store.requireRun(opts.baselineRunId)]
      : store.listRuns({ dataset: ds.spec.key, kind: 'baseline', status: 'done' }).reverse();
  for (const row of baselineRows) {
    const preds = row.kind === 'baseline' && row.dataset === ds.spec.key ? store.getPredictions(row.id) : null;
    if (preds && sameLabels(preds.labels, labels)) {
      baseline = { runId: row.id, predictions: top1(preds.top5, labels.length) };
      break;
    }
    if (opts.baselineRunId !== undefined) {
      throw new UserError(
        `run ${row.id} is not a finished baseline of '${ds.spec.key}' with test predictions on the experiment's test samples`,
      );
    }
  }
  baseline ??= { runId: null, predictions: await engineBaseline(ds, testDatagrp, opts) };
  const name = chosen.label === '' ? experiment : `${experiment} (${chosen.label})`;
  return { experiment: name, testLabels: labels, baseline, runs, neighbours, nnDist: rows[0]!.config.training.nn_dist };
}

/** An experiment's configs (one, or a sweep's), each with its label and runs, in order of first run. */
export function experimentConfigs(rows: readonly RunRow[]): { configHash: string; label: string; runIds: number[] }[] {
  const labels = configLabels(
    rows.map((r) => r.config),
    rows.map((r) => r.configHash),
  );
  const out = new Map<string, { configHash: string; label: string; runIds: number[] }>();
  for (const row of rows) {
    const entry = out.get(row.configHash) ?? {
      configHash: row.configHash,
      label: labels.byConfig.get(row.configHash)?.label ?? '',
      runIds: [],
    };
    entry.runIds.push(row.id);
    out.set(row.configHash, entry);
  }
  return [...out.values()];
}

/**
 * An experiment from result files (ours or the original's), as run_showcombos.py reads them: each
 * file's network is evaluated on the test datagrp, the baseline is the pretrained classifier's.
 */
export async function gatherResultFiles(
  ds: LoadedDataset,
  experiment: string,
  results: readonly { file: string; network: SavedNetwork; predScale: number; seed: number | null }[],
  opts: GatherOptions & { testDatagrp?: string } = {},
): Promise<GatheredExperiment> {
  const testDatagrp = opts.testDatagrp ?? 'test';
  const grp = ds.datagrps[testDatagrp];
  if (!grp) throw new UserError(`dataset '${ds.spec.key}' was loaded without its '${testDatagrp}' datagrp`);
  if (results.length === 0) throw new UserError('no result files');
  const runs: InspectorRunInput[] = [];
  const neighbours = new Map<number, number[]>();
  for (const [i, r] of results.entries()) {
    const ev = await evaluateNetwork(ds, r.network, {
      datagrps: [testDatagrp],
      backend: opts.backend,
      predScale: r.predScale,
      cacheRoot: opts.cacheRoot,
    });
    const evaluation = ev.evaluations[testDatagrp]!;
    const preds = Int32Array.from({ length: grp.n }, (_, j) => evaluation.top[j * evaluation.width]!);
    const { alphas, neighbours: nns } = splitAlphas(ev.alphas, r.file);
    checkNeighbours(neighbours, nns, r.file);
    runs.push({ id: i + 1, seed: r.seed, predictions: preds, alphas });
  }
  return {
    experiment,
    testLabels: Int32Array.from(grp.labels),
    baseline: { runId: null, predictions: await engineBaseline(ds, testDatagrp, opts) },
    runs,
    neighbours,
    nnDist: results[0]!.network.nn_dist,
  };
}

/** Training samples per class, from the dataset's train labels (they define the splits). */
export function trainSamplesPerClass(ds: LoadedDataset): Int32Array {
  const grp = ds.datagrps.train;
  if (!grp)
    throw new UserError(
      `dataset '${ds.spec.key}' was loaded without its 'train' datagrp (needed for the training sample counts)`,
    );
  const counts = new Int32Array(ds.nClasses);
  for (const y of grp.labels) counts[y]++;
  return counts;
}

function wrapDataError<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof CombosDataError || error instanceof InspectorDataError) throw new UserError(error.message);
    throw error;
  }
}

/** The combinations report's input (class names by the WordNet module's rules). */
export function combosInputFor(ds: LoadedDataset, g: GatheredExperiment): CombosInput {
  return wrapDataError(() =>
    buildCombosInput({
      classNames: datasetClassNames(ds.spec.labelNamesFile, ds.nClasses),
      splits: ds.splits,
      trainSamplesPerClass: Array.from(trainSamplesPerClass(ds)),
      neighbours: g.neighbours,
      testLabels: g.testLabels,
      baselinePredictions: g.baseline.predictions,
      runs: g.runs.map((r) => ({ predictions: r.predictions, alphas: r.alphas })),
    }),
  );
}

/**
 * Distances between each few class's mean training feature and its neighbours' (the runs' metric;
 * `random` neighbours are measured euclidean, as the original's plots do). Class means come from the
 * engine's cache.
 */
export function neighbourDistances(
  ds: LoadedDataset,
  neighbours: ReadonlyMap<number, readonly number[]>,
  nnDist: NNDist,
  cacheRoot?: CacheRoot,
): { metric: NNDist; distances: Map<number, number[]> } {
  const metric: NNDist = nnDist === 'random' ? 'euclidean' : nnDist;
  if (!ds.datagrps.train)
    throw new UserError(`dataset '${ds.spec.key}' was loaded without its 'train' datagrp (needed for class means)`);
  const means = datagrpMeans(ds, 'train', cacheRoot);
  const distances = new Map<number, number[]>();
  for (const [fc, nns] of neighbours)
    distances.set(fc, Array.from(classDistances(means, ds.dim, [fc], nns, metric, null)));
  return { metric, distances };
}

/** Which dataset an experiment of the store is on, and the datasets config it was loaded from (if recorded). */
export function experimentDataset(
  store: RunStore,
  experiment: string,
  dataset?: string,
): { key: string; configFile: string | null } {
  const runs = store.listRuns({ experiment, kind: 'train', status: 'done' });
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  const key = dataset ?? datasets[0];
  if (key === undefined)
    throw new UserError(`no finished training runs of experiment '${experiment}' (see \`alphanet runs\`)`);
  if (dataset === undefined && datasets.length > 1)
    throw new UserError(`experiment '${experiment}' has runs on ${datasets.join(', ')}: choose the dataset`);
  const first = runs.find((r) => r.dataset === key);
  return { key, configFile: first ? datasetConfigOf(first) : null };
}

/**
 * Loads what the inspector needs of a dataset: train labels (sample counts; features only when the
 * class-means cache misses) and test (a baseline evaluated on the spot), lazily.
 */
export async function loadInspectorDataset(spec: DatasetSpec, cacheDir?: string | null): Promise<LoadedDataset> {
  return loadDataset(spec, {
    cacheDir,
    datagrps: ['train', 'test'].filter((g) => spec.datagrps.includes(g)),
    lazyFeatures: true,
  });
}

export interface InspectExperimentOptions extends GatherOptions, Partial<InspectorOptions> {
  experiment: string;
  baselineRunId?: number;
  /** One config of a sweep; needed where the experiment has several. */
  configHash?: string;
}

/**
 * Everything the Inspector view shows for one experiment of the store on `ds` (see experimentDataset
 * and loadInspectorDataset for finding and loading it).
 */
export async function inspectExperiment(
  store: RunStore,
  ds: LoadedDataset,
  opts: InspectExperimentOptions,
): Promise<InspectorData> {
  const g = await gatherStoreExperiment(store, ds, opts.experiment, opts);
  return inspectGathered(ds, g, opts);
}

export function inspectGathered(
  ds: LoadedDataset,
  g: GatheredExperiment,
  opts: GatherOptions & Partial<InspectorOptions> = {},
): InspectorData {
  const { metric, distances } = neighbourDistances(ds, g.neighbours, g.nnDist, opts.cacheRoot);
  const wnids = ds.wnids;
  return wrapDataError(() =>
    buildInspectorData(
      {
        dataset: { key: ds.spec.key, displayName: ds.spec.properName },
        experiment: g.experiment,
        classNames: datasetClassNames(ds.spec.labelNamesFile, ds.nClasses),
        wnids,
        splitOf: ds.splitOf,
        trainSamplesPerClass: trainSamplesPerClass(ds),
        testLabels: g.testLabels,
        baseline: g.baseline,
        runs: g.runs,
        neighbours: new Map(
          [...g.neighbours].map(([fc, classes]) => [fc, { classes, distances: distances.get(fc) ?? null }]),
        ),
        distanceMetric: metric,
        wordnet: wnids ? loadWordNet() : null,
      },
      { mistakeN: opts.mistakeN, semanticLevel: opts.semanticLevel, alphaBins: opts.alphaBins },
    ),
  );
}
