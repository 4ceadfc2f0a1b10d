/**
 * The experiment inspector's computations (issue 7): per-class accuracies of a baseline and an
 * experiment's runs, each few class's combination and confusions, and the data behind the paper's
 * plots (spec §6), each exportable as CSV. Pure: the caller gathers predictions, α̃, neighbour
 * distances and WordNet; everything returned is plain JSON (unknown numbers are null, never NaN).
 */
import { alphaMeanStd, type SplitName } from './report/combos.ts';
import type { WordNet } from './wordnet.ts';

export const SPLIT_ORDER: readonly SplitName[] = ['few', 'medium', 'many'];

// ---------------------------------------------------------------------------------------------
// Input

export interface InspectorRunInput {
  id: number;
  seed: number | null;
  /** Top-1 test predictions, aligned with the test labels. */
  predictions: ArrayLike<number>;
  /** Per few class id: its k learned coefficients α̃ (the fixed self coefficient left out). */
  alphas: ReadonlyMap<number, readonly number[]>;
}

export interface InspectorInput {
  dataset: { key: string; displayName: string };
  experiment: string;
  classNames: readonly string[];
  /** WordNet ids in class-id order (ImageNet-style label files), else null. */
  wnids: readonly string[] | null;
  splitOf: readonly SplitName[];
  trainSamplesPerClass: ArrayLike<number>;
  testLabels: ArrayLike<number>;
  baseline: { runId: number | null; predictions: ArrayLike<number> };
  runs: readonly InspectorRunInput[];
  /** Per few class id: its neighbours, nearest first, and their distances between class means. */
  neighbours: ReadonlyMap<number, { classes: readonly number[]; distances: readonly number[] | null }>;
  /** The metric the distances are in (the runs' nn_dist; `random` runs are measured euclidean, as the original plots them). */
  distanceMetric: string;
  /** Needed for the WordNet columns and the semantic measures; null leaves them out. */
  wordnet: WordNet | null;
}

export interface InspectorOptions {
  /** Confusions listed per few class and list (default 10; null: all). */
  mistakeN: number | null;
  /** WordNet level for the semantic accuracy and prediction changes (the paper: 4). */
  semanticLevel: number;
  /** Histogram bins of each α̃_i (default 20). */
  alphaBins: number;
}

export const DEFAULT_INSPECTOR_OPTIONS: InspectorOptions = { mistakeN: 10, semanticLevel: 4, alphaBins: 20 };

// ---------------------------------------------------------------------------------------------
// Output

export interface ClassRef {
  classId: number;
  name: string;
  split: SplitName;
}

export interface WordNetRelation {
  /** Fewest hypernym edges between the two synsets (null: no common hypernym). */
  pathDistance: number | null;
  /** Levels above the true class to the nearest lowest common hypernym: the original's "semantic" measure. */
  level: number | null;
  lowestCommonHypernyms: { wnid: string; name: string; gloss: string }[];
}

export interface Confusion extends ClassRef {
  baseline: number;
  /** Count in each run, in run order. */
  alphanetPerRun: number[];
  alphanetMean: number;
  wordnet: WordNetRelation | null;
}

export interface ComboTerm extends ClassRef {
  /** Distance between the class means (null when unknown). */
  distance: number | null;
  alphaMean: number;
  /** Sample std over runs; null for a single run. */
  alphaStd: number | null;
  alphaPerRun: number[];
}

export interface FewClassDetail extends ClassRef {
  /** The class's synset on WordNet datasets, else null. */
  synset: { wnid: string; gloss: string } | null;
  trainSamples: number;
  testSamples: number;
  baselineAcc: number | null;
  alphanetAcc: number | null;
  alphanetAccPerRun: (number | null)[];
  delta: number | null;
  meanNeighbourDistance: number | null;
  combination: ComboTerm[];
  /** This class's samples the baseline got wrong, most frequent first, with the counts after AlphaNet. */
  baselineMistakes: Confusion[];
  /** Other classes' samples predicted as this class, by baseline count, then AlphaNet count. */
  reverseConfusions: Confusion[];
  /** This class's samples AlphaNet got wrong (summed over runs), most frequent first. */
  alphanetMistakes: Confusion[];
}

export interface ClassRow extends ClassRef {
  trainSamples: number;
  testSamples: number;
  baselineAcc: number | null;
  alphanetAcc: number | null;
  delta: number | null;
}

export interface SplitAccuracy {
  few: number | null;
  medium: number | null;
  many: number | null;
  overall: number | null;
}

export interface Regression {
  n: number;
  slope: number | null;
  intercept: number | null;
  /** Pearson correlation; null with fewer than two points or no spread. */
  r: number | null;
}

/**
 * Few classes only: x = mean distance from the class's mean training feature to its neighbours' (the
 * run's own neighbours, as the original's PlotSplitClsAccDeltaVsNNDist), y = Δ accuracy averaged over
 * the runs; the fit and r are over these per-class means (the original's `r_group_classes` option; by
 * default it pools one point per run and class).
 */
export interface DeltaVsDistancePlot {
  metric: string;
  points: { classId: number; name: string; meanDistance: number; delta: number }[];
  fit: Regression;
}

export interface AccVsSamplesPlot {
  points: {
    classId: number;
    name: string;
    split: SplitName;
    trainSamples: number;
    baseline: number | null;
    alphanet: number | null;
  }[];
  /** Accuracy against log10(training samples), as the original's lmplot(logx=True) fits it. */
  fits: { baseline: Regression; alphanet: Regression };
}

export interface DeltaBySplitPlot {
  splits: {
    split: SplitName;
    /** Largest Δ first. */
    classes: { classId: number; name: string; delta: number }[];
    /** Mean over runs of (run's split accuracy − baseline's), as the original's dashed lines. */
    meanDelta: number | null;
  }[];
  overallMeanDelta: number | null;
}

export interface AlphaDistributionPlot {
  /** One per coefficient index i = 1..k. */
  coefficients: { index: number; values: number[]; mean: number | null; std: number | null; counts: number[] }[];
  /** bins + 1 shared bin edges. */
  edges: number[];
}

export type PredictionStatus = 'correct' | 'neighbour' | 'other';
export const PREDICTION_STATUSES: readonly PredictionStatus[] = ['correct', 'neighbour', 'other'];

export interface PredictionChangesPlot {
  /** What "neighbour" means: the runs' nearest base classes, or WordNet classes within the level. */
  neighbours: 'nearest' | 'semantic';
  /** Test samples of few classes × runs. */
  total: number;
  baseline: Record<PredictionStatus, number>;
  alphanet: Record<PredictionStatus, number>;
  /** transitions[from][to]: baseline status → AlphaNet status. */
  transitions: Record<PredictionStatus, Record<PredictionStatus, number>>;
}

/**
 * The paper's "semantic" accuracy (the original's run_printres.py --adjusted-acc-semantic): a
 * prediction counts as right when it is the true class or one of its WordNet neighbours at `level`
 * (see semanticNeighbourTest: the original measures levels up to the lowest common hypernym, not the
 * path distance the paper's text names).
 */
export interface SemanticAccuracy {
  level: number;
  baseline: SplitAccuracy;
  alphanetPerRun: SplitAccuracy[];
  alphanetMean: SplitAccuracy;
}

export interface InspectorPlots {
  deltaVsDistance: DeltaVsDistancePlot;
  accVsSamples: AccVsSamplesPlot;
  deltaBySplit: DeltaBySplitPlot;
  alphaDistribution: AlphaDistributionPlot;
  predictionChanges: PredictionChangesPlot;
  /** WordNet datasets only. */
  semanticPredictionChanges: PredictionChangesPlot | null;
  semanticAccuracy: SemanticAccuracy | null;
}

export interface InspectorData {
  dataset: { key: string; displayName: string; nClasses: number; wordnet: boolean };
  experiment: string;
  runs: { id: number; seed: number | null; accuracy: SplitAccuracy }[];
  baselineRunId: number | null;
  baseline: SplitAccuracy;
  /** Mean over runs. */
  alphanet: SplitAccuracy;
  delta: SplitAccuracy;
  classes: ClassRow[];
  fewClasses: FewClassDetail[];
  plots: InspectorPlots;
}

export class InspectorDataError extends Error {
  override name = 'InspectorDataError';
}

// ---------------------------------------------------------------------------------------------
// Small pieces

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function meanOf(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function stdOf(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = meanOf(xs)!;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Least-squares line y = intercept + slope·x and Pearson's r. */
export function linearRegression(xs: readonly number[], ys: readonly number[]): Regression {
  if (xs.length !== ys.length) throw new InspectorDataError(`${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n < 2) return { n, slope: null, intercept: null, r: null };
  const mx = meanOf(xs)!;
  const my = meanOf(ys)!;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return { n, slope: null, intercept: null, r: null };
  const slope = sxy / sxx;
  return { n, slope, intercept: my - slope * mx, r: syy === 0 ? null : sxy / Math.sqrt(sxx * syy) };
}

/** correct[c] and total[c] over the test samples. */
export function classCounts(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  nClasses: number,
): { correct: Int32Array; total: Int32Array } {
  if (labels.length !== preds.length)
    throw new InspectorDataError(`${labels.length} labels but ${preds.length} predictions`);
  const correct = new Int32Array(nClasses);
  const total = new Int32Array(nClasses);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    total[y]++;
    if (preds[i] === y) correct[y]++;
  }
  return { correct, total };
}

/** Per-class accuracy; NaN for a class without test samples. */
export function classAccuracies(labels: ArrayLike<number>, preds: ArrayLike<number>, nClasses: number): Float64Array {
  const { correct, total } = classCounts(labels, preds, nClasses);
  return Float64Array.from(correct, (c, i) => (total[i]! > 0 ? c / total[i]! : NaN));
}

/** Accuracy per split of the true label, and overall; `isCorrect` decides what counts as right. */
export function splitAccuracy(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  splitOf: readonly SplitName[],
  isCorrect: (y: number, yhat: number) => boolean = (y, yhat) => y === yhat,
): SplitAccuracy {
  const right = { few: 0, medium: 0, many: 0 };
  const all = { few: 0, medium: 0, many: 0 };
  for (let i = 0; i < labels.length; i++) {
    const s = splitOf[labels[i]!]!;
    all[s]++;
    if (isCorrect(labels[i]!, preds[i]!)) right[s]++;
  }
  const n = all.few + all.medium + all.many;
  const frac = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    few: frac(right.few, all.few),
    medium: frac(right.medium, all.medium),
    many: frac(right.many, all.many),
    overall: frac(right.few + right.medium + right.many, n),
  };
}

const SPLIT_KEYS = ['few', 'medium', 'many', 'overall'] as const;

function mapSplits(parts: readonly SplitAccuracy[], f: (xs: number[]) => number | null): SplitAccuracy {
  const out = {} as SplitAccuracy;
  for (const k of SPLIT_KEYS) out[k] = f(parts.map((p) => p[k]).filter((x): x is number => x !== null));
  return out;
}

function subSplits(a: SplitAccuracy, b: SplitAccuracy): SplitAccuracy {
  const out = {} as SplitAccuracy;
  for (const k of SPLIT_KEYS) out[k] = a[k] === null || b[k] === null ? null : a[k]! - b[k]!;
  return out;
}

/** The status of one prediction: right, one of the true class's "neighbours", or anything else. */
export function predictionStatus(
  y: number,
  yhat: number,
  isNeighbour: (y: number, yhat: number) => boolean,
): PredictionStatus {
  if (yhat === y) return 'correct';
  return isNeighbour(y, yhat) ? 'neighbour' : 'other';
}

function statusRecord(): Record<PredictionStatus, number> {
  return { correct: 0, neighbour: 0, other: 0 };
}

/**
 * Baseline → AlphaNet prediction changes (the original's PlotPredChanges): every test sample whose
 * class is in `classes`, once per run, counted by (baseline status, AlphaNet status).
 */
export function predictionChanges(
  labels: ArrayLike<number>,
  baseline: ArrayLike<number>,
  runs: readonly ArrayLike<number>[],
  classes: ReadonlySet<number>,
  isNeighbour: (y: number, yhat: number) => boolean,
  kind: PredictionChangesPlot['neighbours'],
): PredictionChangesPlot {
  const out: PredictionChangesPlot = {
    neighbours: kind,
    total: 0,
    baseline: statusRecord(),
    alphanet: statusRecord(),
    transitions: { correct: statusRecord(), neighbour: statusRecord(), other: statusRecord() },
  };
  for (const preds of runs) {
    if (preds.length !== labels.length)
      throw new InspectorDataError(`${labels.length} labels but ${preds.length} predictions`);
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i]!;
      if (!classes.has(y)) continue;
      const from = predictionStatus(y, baseline[i]!, isNeighbour);
      const to = predictionStatus(y, preds[i]!, isNeighbour);
      out.total++;
      out.baseline[from]++;
      out.alphanet[to]++;
      out.transitions[from][to]++;
    }
  }
  return out;
}

/**
 * Whether `other` is one of `y`'s WordNet neighbours at `level`, as the original's
 * get_wordnet_nns_per_imgnet_class decides it: the nearest lowest common hypernym lies at most
 * `level` steps above y on one of y's hypernym paths (WordNet.commonHypernymLevel, not the path
 * distance). Memoised per pair; only the pairs that occur in predictions are ever asked.
 */
export function semanticNeighbourTest(
  wn: WordNet,
  wnids: readonly string[],
  level: number,
): (y: number, other: number) => boolean {
  const memo = new Map<number, boolean>();
  const n = wnids.length;
  return (y, other) => {
    if (y === other) return false;
    const key = y * n + other;
    let hit = memo.get(key);
    if (hit === undefined) {
      const l = wn.commonHypernymLevel(wnids[y]!, wnids[other]!);
      hit = l !== null && l <= level;
      memo.set(key, hit);
    }
    return hit;
  };
}

/** Equal-width histogram counts of each series over shared edges spanning every value. */
export function histogram(
  series: readonly (readonly number[])[],
  bins: number,
): { edges: number[]; counts: number[][] } {
  if (!Number.isInteger(bins) || bins < 1)
    throw new InspectorDataError(`bins must be a whole number ≥ 1 (got ${bins})`);
  const all = series.flat();
  if (all.length === 0) return { edges: [], counts: series.map(() => []) };
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = series.map((xs) => {
    const c = new Array<number>(bins).fill(0);
    // The last bin is closed on the right, as numpy.histogram's.
    for (const x of xs) c[Math.min(bins - 1, Math.floor((x - lo) / width))]!++;
    return c;
  });
  return { edges, counts };
}

// ---------------------------------------------------------------------------------------------
// The whole inspector

function countPairs(labels: ArrayLike<number>, preds: ArrayLike<number>): Map<number, Map<number, number>> {
  const m = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const yhat = preds[i]!;
    if (y === yhat) continue;
    let row = m.get(y);
    if (!row) m.set(y, (row = new Map()));
    row.set(yhat, (row.get(yhat) ?? 0) + 1);
  }
  return m;
}

const pairCount = (m: Map<number, Map<number, number>>, y: number, yhat: number): number => m.get(y)?.get(yhat) ?? 0;

export function buildInspectorData(input: InspectorInput, options: Partial<InspectorOptions> = {}): InspectorData {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<InspectorOptions>;
  const opts = { ...DEFAULT_INSPECTOR_OPTIONS, ...given };
  const nClasses = input.classNames.length;
  const { testLabels: labels, runs } = input;
  if (runs.length === 0) throw new InspectorDataError(`experiment '${input.experiment}' has no finished runs`);
  if (input.splitOf.length !== nClasses || input.trainSamplesPerClass.length !== nClasses) {
    throw new InspectorDataError(
      `class names, splits and training counts disagree on the number of classes (${nClasses})`,
    );
  }
  if (input.wnids && input.wnids.length !== nClasses)
    throw new InspectorDataError(`${input.wnids.length} wnids for ${nClasses} classes`);
  for (const x of Array.from(labels))
    if (!(Number.isInteger(x) && x >= 0 && x < nClasses))
      throw new InspectorDataError(`test label ${x} is not a class id`);
  const wn = input.wordnet && input.wnids && input.wnids.every((w) => input.wordnet!.has(w)) ? input.wordnet : null;
  const wnids = wn ? input.wnids! : null;

  const ref = (c: number): ClassRef => ({ classId: c, name: input.classNames[c]!, split: input.splitOf[c]! });
  const basePreds = input.baseline.predictions;
  const runPreds = runs.map((r) => r.predictions);
  const baseAcc = classAccuracies(labels, basePreds, nClasses);
  const runAccs = runPreds.map((p) => classAccuracies(labels, p, nClasses));
  const { total } = classCounts(labels, basePreds, nClasses);
  const meanAcc = Float64Array.from(
    { length: nClasses },
    (_, c) => runAccs.reduce((a, acc) => a + acc[c]!, 0) / runs.length,
  );

  const basePairs = countPairs(labels, basePreds);
  const runPairs = runPreds.map((p) => countPairs(labels, p));
  const relationMemo = new Map<string, WordNetRelation>();
  const relation = (y: number, other: number): WordNetRelation | null => {
    if (!wn || !wnids) return null;
    const key = `${y},${other}`;
    let rel = relationMemo.get(key);
    if (!rel) {
      const [a, b] = [wnids[y]!, wnids[other]!];
      rel = {
        pathDistance: wn.shortestPathDistance(a, b),
        level: wn.commonHypernymLevel(a, b),
        lowestCommonHypernyms: wn
          .lowestCommonHypernyms(a, b)
          .map((w) => ({ wnid: w, name: wn.name(w), gloss: wn.synset(w)!.gloss })),
      };
      relationMemo.set(key, rel);
    }
    return rel;
  };
  /** Counts of true class y predicted as yhat, listed under few class fc as `other`. */
  const confusion = (y: number, yhat: number, other: number, fc: number): Confusion => {
    const perRun = runPairs.map((m) => pairCount(m, y, yhat));
    return {
      ...ref(other),
      baseline: pairCount(basePairs, y, yhat),
      alphanetPerRun: perRun,
      alphanetMean: meanOf(perRun)!,
      wordnet: relation(fc, other),
    };
  };
  const top = (items: Confusion[], key: (c: Confusion) => number[]): Confusion[] => {
    const sorted = items
      .filter((c) => key(c).some((v) => v > 0))
      .sort((a, b) => {
        const [ka, kb] = [key(a), key(b)];
        for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
        return a.classId - b.classId;
      });
    return opts.mistakeN === null ? sorted : sorted.slice(0, opts.mistakeN);
  };
  const sumRuns = (c: Confusion) => c.alphanetPerRun.reduce((a, b) => a + b, 0);

  const fewIds = [...input.neighbours.keys()].sort((a, b) => a - b);
  for (const c of fewIds)
    if (input.splitOf[c] !== 'few') throw new InspectorDataError(`class ${c} has neighbours but is not a few class`);
  const fewClasses: FewClassDetail[] = fewIds.map((fc) => {
    const nn = input.neighbours.get(fc)!;
    const alphaRuns = runs.map((r) => {
      const a = r.alphas.get(fc);
      if (!a || a.length !== nn.classes.length)
        throw new InspectorDataError(
          `run ${r.id}: few class ${fc} needs ${nn.classes.length} coefficients, has ${a?.length ?? 'none'}`,
        );
      return a;
    });
    const { mean, std } = alphaMeanStd(alphaRuns);
    const dists = nn.distances;
    const others = (pairsOf: (m: Map<number, Map<number, number>>) => Iterable<number>) => {
      const set = new Set<number>(pairsOf(basePairs));
      for (const m of runPairs) for (const c of pairsOf(m)) set.add(c);
      return [...set];
    };
    const mistakesOf = others((m) => m.get(fc)?.keys() ?? []).map((o) => confusion(fc, o, o, fc));
    const reverse = others((m) => [...m].filter(([, row]) => row.has(fc)).map(([y]) => y)).map((o) =>
      confusion(o, fc, o, fc),
    );
    const perRun = runAccs.map((acc) => finite(acc[fc]!));
    return {
      ...ref(fc),
      synset: wn && wnids ? { wnid: wnids[fc]!, gloss: wn.synset(wnids[fc]!)!.gloss } : null,
      trainSamples: input.trainSamplesPerClass[fc]!,
      testSamples: total[fc]!,
      baselineAcc: finite(baseAcc[fc]!),
      alphanetAcc: finite(meanAcc[fc]!),
      alphanetAccPerRun: perRun,
      delta: finite(meanAcc[fc]! - baseAcc[fc]!),
      meanNeighbourDistance: dists ? meanOf(dists) : null,
      combination: nn.classes.map((c, j) => ({
        ...ref(c),
        distance: dists ? dists[j]! : null,
        alphaMean: mean[j]!,
        alphaStd: std[j]!,
        alphaPerRun: alphaRuns.map((a) => a[j]!),
      })),
      baselineMistakes: top(mistakesOf, (c) => [c.baseline]),
      reverseConfusions: top(reverse, (c) => [c.baseline, sumRuns(c)]),
      alphanetMistakes: top(mistakesOf, (c) => [sumRuns(c)]),
    };
  });

  const classes: ClassRow[] = Array.from({ length: nClasses }, (_, c) => ({
    ...ref(c),
    trainSamples: input.trainSamplesPerClass[c]!,
    testSamples: total[c]!,
    baselineAcc: finite(baseAcc[c]!),
    alphanetAcc: finite(meanAcc[c]!),
    delta: finite(meanAcc[c]! - baseAcc[c]!),
  }));

  const baseline = splitAccuracy(labels, basePreds, input.splitOf);
  const perRunAcc = runPreds.map((p) => splitAccuracy(labels, p, input.splitOf));
  const alphanet = mapSplits(perRunAcc, meanOf);
  const runDeltas = perRunAcc.map((a) => subSplits(a, baseline));

  // Plots.
  const distPoints = fewClasses
    .filter((f) => f.meanNeighbourDistance !== null && f.delta !== null)
    .map((f) => ({ classId: f.classId, name: f.name, meanDistance: f.meanNeighbourDistance!, delta: f.delta! }));
  const deltaVsDistance: DeltaVsDistancePlot = {
    metric: input.distanceMetric,
    points: distPoints,
    fit: linearRegression(
      distPoints.map((p) => p.meanDistance),
      distPoints.map((p) => p.delta),
    ),
  };
  const logFit = (acc: (c: ClassRow) => number | null): Regression => {
    const usable = classes.filter((c) => c.trainSamples > 0 && acc(c) !== null);
    return linearRegression(
      usable.map((c) => Math.log10(c.trainSamples)),
      usable.map((c) => acc(c)!),
    );
  };
  const accVsSamples: AccVsSamplesPlot = {
    points: classes.map((c) => ({
      classId: c.classId,
      name: c.name,
      split: c.split,
      trainSamples: c.trainSamples,
      baseline: c.baselineAcc,
      alphanet: c.alphanetAcc,
    })),
    fits: { baseline: logFit((c) => c.baselineAcc), alphanet: logFit((c) => c.alphanetAcc) },
  };
  const deltaBySplit: DeltaBySplitPlot = {
    splits: SPLIT_ORDER.map((split) => ({
      split,
      classes: classes
        .filter((c) => c.split === split && c.delta !== null)
        .map((c) => ({ classId: c.classId, name: c.name, delta: c.delta! }))
        .sort((a, b) => b.delta - a.delta || a.classId - b.classId),
      meanDelta: meanOf(runDeltas.map((d) => d[split]).filter((x): x is number => x !== null)),
    })),
    overallMeanDelta: meanOf(runDeltas.map((d) => d.overall).filter((x): x is number => x !== null)),
  };
  const k = Math.max(0, ...fewClasses.map((f) => f.combination.length));
  const alphaSeries = Array.from({ length: k }, (_, j) =>
    fewClasses.flatMap((f) => f.combination[j]?.alphaPerRun ?? []),
  );
  const hist = histogram(alphaSeries, opts.alphaBins);
  const alphaDistribution: AlphaDistributionPlot = {
    coefficients: alphaSeries.map((values, j) => ({
      index: j + 1,
      values,
      mean: meanOf(values),
      std: stdOf(values),
      counts: hist.counts[j]!,
    })),
    edges: hist.edges,
  };
  const fewSet = new Set(fewIds);
  const nearest = new Map(fewIds.map((fc) => [fc, new Set(input.neighbours.get(fc)!.classes)] as const));
  const predictionChangesPlot = predictionChanges(
    labels,
    basePreds,
    runPreds,
    fewSet,
    (y, yhat) => nearest.get(y)?.has(yhat) === true,
    'nearest',
  );

  let semanticPredictionChanges: PredictionChangesPlot | null = null;
  let semanticAccuracy: SemanticAccuracy | null = null;
  if (wn && wnids) {
    const isNeighbour = semanticNeighbourTest(wn, wnids, opts.semanticLevel);
    semanticPredictionChanges = predictionChanges(labels, basePreds, runPreds, fewSet, isNeighbour, 'semantic');
    const right = (y: number, yhat: number) => y === yhat || isNeighbour(y, yhat);
    const perRun = runPreds.map((p) => splitAccuracy(labels, p, input.splitOf, right));
    semanticAccuracy = {
      level: opts.semanticLevel,
      baseline: splitAccuracy(labels, basePreds, input.splitOf, right),
      alphanetPerRun: perRun,
      alphanetMean: mapSplits(perRun, meanOf),
    };
  }

  return {
    dataset: { ...input.dataset, nClasses, wordnet: wn !== null },
    experiment: input.experiment,
    runs: runs.map((r, i) => ({ id: r.id, seed: r.seed, accuracy: perRunAcc[i]! })),
    baselineRunId: input.baseline.runId,
    baseline,
    alphanet,
    delta: subSplits(alphanet, baseline),
    classes,
    fewClasses,
    plots: {
      deltaVsDistance,
      accVsSamples,
      deltaBySplit,
      alphaDistribution,
      predictionChanges: predictionChangesPlot,
      semanticPredictionChanges,
      semanticAccuracy,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

type Cell = string | number | null;

function csvCell(x: Cell): string {
  if (x === null) return '';
  if (typeof x === 'number') return Number.isFinite(x) ? String(x) : '';
  return /[",\n\r]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export type PlotName =
  | 'deltaVsDistance'
  | 'accVsSamples'
  | 'deltaBySplit'
  | 'alphaDistribution'
  | 'predictionChanges'
  | 'semanticPredictionChanges'
  | 'semanticAccuracy';
export const PLOT_NAMES: readonly PlotName[] = [
  'deltaVsDistance',
  'accVsSamples',
  'deltaBySplit',
  'alphaDistribution',
  'predictionChanges',
  'semanticPredictionChanges',
  'semanticAccuracy',
];

function changesCsv(p: PredictionChangesPlot): string {
  return toCsv(
    ['baseline', 'alphanet', 'count'],
    PREDICTION_STATUSES.flatMap((from) => PREDICTION_STATUSES.map((to) => [from, to, p.transitions[from][to]])),
  );
}

/** One plot's data as CSV text; null when the plot does not apply (semantic plots off WordNet data). */
export function plotCsv(plots: InspectorPlots, name: PlotName): string | null {
  switch (name) {
    case 'deltaVsDistance': {
      const p = plots.deltaVsDistance;
      return toCsv(
        [
          'class_id',
          'name',
          `mean_neighbour_distance_${p.metric}`,
          'delta_acc',
          'fit_slope',
          'fit_intercept',
          'pearson_r',
        ],
        p.points.map((q, i) => [
          q.classId,
          q.name,
          q.meanDistance,
          q.delta,
          ...(i === 0 ? [p.fit.slope, p.fit.intercept, p.fit.r] : [null, null, null]),
        ]),
      );
    }
    case 'accVsSamples': {
      const { baseline: fb, alphanet: fa } = plots.accVsSamples.fits;
      return toCsv(
        [
          'class_id',
          'name',
          'split',
          'train_samples',
          'baseline_acc',
          'alphanet_acc',
          'baseline_fit_slope_log10',
          'baseline_fit_intercept',
          'alphanet_fit_slope_log10',
          'alphanet_fit_intercept',
        ],
        plots.accVsSamples.points.map((q, i) => [
          q.classId,
          q.name,
          q.split,
          q.trainSamples,
          q.baseline,
          q.alphanet,
          ...(i === 0 ? [fb.slope, fb.intercept, fa.slope, fa.intercept] : [null, null, null, null]),
        ]),
      );
    }
    case 'deltaBySplit':
      return toCsv(
        ['split', 'rank', 'class_id', 'name', 'delta_acc', 'split_mean_delta'],
        plots.deltaBySplit.splits.flatMap((s) =>
          s.classes.map((c, i) => [s.split, i, c.classId, c.name, c.delta, s.meanDelta]),
        ),
      );
    case 'alphaDistribution': {
      const p = plots.alphaDistribution;
      return toCsv(
        ['coefficient', 'bin_low', 'bin_high', 'count'],
        p.coefficients.flatMap((c) => c.counts.map((n, b) => [`alpha_${c.index}`, p.edges[b]!, p.edges[b + 1]!, n])),
      );
    }
    case 'predictionChanges':
      return changesCsv(plots.predictionChanges);
    case 'semanticPredictionChanges':
      return plots.semanticPredictionChanges && changesCsv(plots.semanticPredictionChanges);
    case 'semanticAccuracy': {
      const s = plots.semanticAccuracy;
      if (!s) return null;
      const row = (name: string, a: SplitAccuracy): Cell[] => [name, a.few, a.medium, a.many, a.overall];
      return toCsv(
        ['model', 'few', 'medium', 'many', 'overall'],
        [
          row('baseline', s.baseline),
          ...s.alphanetPerRun.map((a, i) => row(`alphanet_run_${i + 1}`, a)),
          row('alphanet_mean', s.alphanetMean),
        ],
      );
    }
  }
}
