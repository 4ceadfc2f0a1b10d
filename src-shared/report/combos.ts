/**
 * The "combinations" report (spec §6): for selected few classes, the learned combination
 * `[c] = [c] + (α̃1)[nn1] + …` with α̃'s mean ± std over the runs, then how the class's
 * misclassifications change from the baseline to AlphaNet. The text reproduces the original's
 * run_showcombos.py output character for character (Python number formatting included).
 * **Ours:** lists hold only real mistakes unless `originalZeroEntries` is set (see CombosOptions);
 * few classes with equal keys are selected in class-id order (the original's set order, in practice);
 * α̃ statistics are computed in double precision (the original: float32 torch tensors).
 *
 * buildCombosInput turns raw run data (labels, top-1 predictions, α̃ per run) into CombosInput;
 * formatCombos selects classes and prints.
 */
import { pyFixed, pyGeneral } from './pyformat.ts';

export type SplitName = 'many' | 'medium' | 'few';

export class CombosDataError extends Error {
  override name = 'CombosDataError';
}

// ---------------------------------------------------------------------------------------------
// Confusions

export interface Confusions {
  /** Test samples per true class (summed over every run added). */
  predictions: Map<number, number>;
  /**
   * mistakes.get(y).get(ŷ): samples of true class y predicted as ŷ ≠ y. Both maps keep the order of
   * first occurrence, which decides ties in the report as it does in the original.
   */
  mistakes: Map<number, Map<number, number>>;
}

export function emptyConfusions(): Confusions {
  return { predictions: new Map(), mistakes: new Map() };
}

/** Adds one run's (labels, top-1 predictions) to `into` and returns it. */
export function addConfusions(into: Confusions, labels: ArrayLike<number>, preds: ArrayLike<number>): Confusions {
  if (labels.length !== preds.length) {
    throw new CombosDataError(`${labels.length} labels but ${preds.length} predictions`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const yhat = preds[i]!;
    into.predictions.set(y, (into.predictions.get(y) ?? 0) + 1);
    if (y !== yhat) {
      let row = into.mistakes.get(y);
      if (row === undefined) into.mistakes.set(y, (row = new Map()));
      row.set(yhat, (row.get(yhat) ?? 0) + 1);
    }
  }
  return into;
}

export function countConfusions(labels: ArrayLike<number>, preds: ArrayLike<number>): Confusions {
  return addConfusions(emptyConfusions(), labels, preds);
}

// ---------------------------------------------------------------------------------------------
// α̃ statistics

export interface MeanStd {
  mean: number[];
  /** Sample standard deviation (n − 1, as torch.std); null for a single run. */
  std: (number | null)[];
}

/** Mean and std of each coefficient across runs (each run: one vector of k values). */
export function alphaMeanStd(runs: readonly (readonly number[])[]): MeanStd {
  if (runs.length === 0) throw new CombosDataError('no runs to average');
  const k = runs[0]!.length;
  if (runs.some((r) => r.length !== k)) throw new CombosDataError('runs have different numbers of coefficients');
  const mean: number[] = [];
  const std: (number | null)[] = [];
  for (let j = 0; j < k; j++) {
    const xs = runs.map((r) => r[j]!);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    mean.push(m);
    std.push(xs.length < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)));
  }
  return { mean, std };
}

// ---------------------------------------------------------------------------------------------
// Report input

export interface ComboNeighbour {
  name: string;
  alphaMean: number;
  alphaStd: number | null;
}

export interface ComboClass {
  classId: number;
  name: string;
  /** Nearest first, with the learned coefficient α̃ of each. */
  neighbours: ComboNeighbour[];
  trainSamples: number;
  /** Fractions in [0, 1]; NaN for a class without test samples. */
  baselineAcc: number;
  /** Mean over runs of the per-run accuracy. */
  alphanetAcc: number;
}

export interface CombosInput {
  nRuns: number;
  classNames: readonly string[];
  /** Per class id. */
  splitOf: readonly SplitName[];
  baseline: Confusions;
  /** Summed over the runs, added in run order. */
  alphanet: Confusions;
  /** Every few class, by class id. */
  fewClasses: ComboClass[];
}

export interface CombosRunData {
  /** Top-1 test predictions, aligned with the test labels. */
  predictions: ArrayLike<number>;
  /** Per few class id: its k learned coefficients α̃ (the fixed self coefficient 1 left out). */
  alphas: ReadonlyMap<number, readonly number[]>;
}

export interface CombosRawData {
  classNames: readonly string[];
  /** Together they must hold every class id. */
  splits: Readonly<Record<SplitName, readonly number[]>>;
  trainSamplesPerClass: readonly number[];
  /** Per few class id: its neighbour class ids, nearest first (the same in every run). */
  neighbours: ReadonlyMap<number, readonly number[]>;
  testLabels: ArrayLike<number>;
  baselinePredictions: ArrayLike<number>;
  /** In a fixed order: it decides which of equally frequent mistakes is listed first. */
  runs: readonly CombosRunData[];
}

export function buildCombosInput(raw: CombosRawData): CombosInput {
  const nClasses = raw.classNames.length;
  if (raw.runs.length === 0) throw new CombosDataError('no AlphaNet runs');
  if (raw.trainSamplesPerClass.length !== nClasses) {
    throw new CombosDataError(`${raw.trainSamplesPerClass.length} training counts for ${nClasses} classes`);
  }
  const isClass = (c: number) => Number.isInteger(c) && c >= 0 && c < nClasses;
  const splitOf: (SplitName | undefined)[] = new Array(nClasses).fill(undefined);
  // A class listed twice gets the first of few, medium, many, as in the original.
  for (const s of ['many', 'medium', 'few'] as const) {
    for (const c of raw.splits[s]) {
      if (!isClass(c)) throw new CombosDataError(`${s} split: ${c} is not a class id (0..${nClasses - 1})`);
      splitOf[c] = s;
    }
  }
  const missing = splitOf.findIndex((s) => s === undefined);
  if (missing >= 0) throw new CombosDataError(`class ${missing} is in no split`);
  for (const [what, xs] of [
    ['test label', raw.testLabels],
    ['prediction', raw.baselinePredictions],
    ...raw.runs.map((r) => ['prediction', r.predictions] as const),
  ] as const) {
    for (const x of Array.from(xs))
      if (!isClass(x)) throw new CombosDataError(`${what} ${x} is not a class id (0..${nClasses - 1})`);
  }

  const baseline = countConfusions(raw.testLabels, raw.baselinePredictions);
  const perRun = raw.runs.map((run) => countConfusions(raw.testLabels, run.predictions));
  const alphanet = emptyConfusions();
  for (const run of raw.runs) addConfusions(alphanet, raw.testLabels, run.predictions);

  const fewClasses = [...raw.splits.few]
    .sort((a, b) => a - b)
    .map((fclass): ComboClass => {
      const nns = raw.neighbours.get(fclass);
      if (nns === undefined) throw new CombosDataError(`few class ${fclass} has no neighbours`);
      for (const nn of nns)
        if (!isClass(nn)) throw new CombosDataError(`few class ${fclass}: neighbour ${nn} is not a class id`);
      const alphas = raw.runs.map((run, r) => {
        const a = run.alphas.get(fclass);
        if (a === undefined || a.length !== nns.length) {
          throw new CombosDataError(
            `run ${r}: few class ${fclass} needs ${nns.length} coefficients, has ${a?.length ?? 'none'}`,
          );
        }
        return a;
      });
      const { mean, std } = alphaMeanStd(alphas);
      const runAccs = perRun.map((c) => accuracy(c, fclass));
      return {
        classId: fclass,
        name: raw.classNames[fclass]!,
        neighbours: nns.map((nn, j) => ({ name: raw.classNames[nn]!, alphaMean: mean[j]!, alphaStd: std[j]! })),
        trainSamples: raw.trainSamplesPerClass[fclass]!,
        baselineAcc: accuracy(baseline, fclass),
        alphanetAcc: runAccs.reduce((a, b) => a + b, 0) / runAccs.length,
      };
    });
  return {
    nRuns: raw.runs.length,
    classNames: raw.classNames,
    splitOf: splitOf as SplitName[],
    baseline,
    alphanet,
    fewClasses,
  };
}

/** Fraction of y's samples predicted correctly; NaN when y has none. */
function accuracy(c: Confusions, y: number): number {
  const n = c.predictions.get(y) ?? 0;
  let wrong = 0;
  for (const v of c.mistakes.get(y)?.values() ?? []) wrong += v;
  return n === 0 ? NaN : 1 - wrong / n;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export interface CombosOptions {
  /** Rank few classes by mean AlphaNet accuracy or by its change from the baseline. */
  selectBy: 'acc' | 'acc_delta';
  /** Largest first (true) or smallest first (`--no-select-max`). */
  selectMax: boolean;
  selectN: number;
  /** How many misclassifications to list per class; null lists all. */
  mistakeN: number | null;
  /**
   * The original counts mistakes in defaultdicts, so printing a class's lists stores zero counts in
   * the rows of the classes it lists; a class printed later then lists an earlier one as a mistake
   * made 0 times. True reproduces that; by default (ours) a list holds only real mistakes.
   */
  originalZeroEntries: boolean;
}

export const DEFAULT_COMBOS_OPTIONS: CombosOptions = {
  selectBy: 'acc_delta',
  selectMax: true,
  selectN: 5,
  mistakeN: null,
  originalZeroEntries: false,
};

const RULE = '*'.repeat(44);

/** The first n items by key, largest (or smallest) first; equal keys keep their input order. */
function topBy<T>(items: readonly T[], n: number, key: (t: T) => number, largest: boolean): T[] {
  const sign = largest ? -1 : 1;
  return items
    .map((t, i) => ({ t, i, k: key(t) }))
    .sort((a, b) => sign * (a.k - b.k) || a.i - b.i)
    .slice(0, Math.max(0, n))
    .map((x) => x.t);
}

/** `[name] = [name]\n  + (α̃1±std)[neighbour 1] …`, one term a line, as the original prints a combination. */
export function comboLine(c: Pick<ComboClass, 'name' | 'neighbours'>): string {
  const pad = ' '.repeat([...c.name].length + 5);
  const terms = c.neighbours.map((nn) => {
    const coef =
      nn.alphaStd === null
        ? `(${pyGeneral(nn.alphaMean, 2)})`
        : `(${pyGeneral(nn.alphaMean, 2)}±${pyGeneral(nn.alphaStd, 2)})`;
    return `${coef}[${nn.name}]`;
  });
  return `[${c.name}] = [${c.name}]\n${pad}+ ` + terms.join(`\n${pad}+ `);
}

function copyConfusions(c: Confusions): Confusions {
  return { predictions: c.predictions, mistakes: new Map([...c.mistakes].map(([y, row]) => [y, new Map(row)])) };
}

/** The report text, one block per selected few class, as the original prints it. */
export function formatCombos(input: CombosInput, options: Partial<CombosOptions> = {}): string {
  const opts = { ...DEFAULT_COMBOS_OPTIONS, ...options };
  const n = input.nRuns;
  // Counts are read through `count`, which in original mode stores the zeros it reads, as a defaultdict does.
  const [pre, post] = opts.originalZeroEntries
    ? [copyConfusions(input.baseline), copyConfusions(input.alphanet)]
    : [input.baseline, input.alphanet];
  const count = (c: Confusions, y: number, yhat: number): number => {
    const v = c.mistakes.get(y)?.get(yhat);
    if (v !== undefined || !opts.originalZeroEntries) return v ?? 0;
    let row = c.mistakes.get(y);
    if (row === undefined) c.mistakes.set(y, (row = new Map()));
    row.set(yhat, 0);
    return 0;
  };
  const rowOf = (c: Confusions, y: number) => [...(c.mistakes.get(y) ?? new Map<number, number>())];

  const key = (c: ComboClass) => (opts.selectBy === 'acc' ? c.alphanetAcc : c.alphanetAcc - c.baselineAcc);
  // A class without test samples has no accuracy to rank by.
  const ranked = input.fewClasses.filter((c) => !Number.isNaN(key(c)));
  const lines: string[] = [];
  for (const c of topBy(ranked, opts.selectN, key, opts.selectMax)) {
    const fc = c.classId;
    const preRow = rowOf(pre, fc);
    const postRow = rowOf(post, fc);
    const topPre = topBy(preRow, opts.mistakeN ?? preRow.length, ([, v]) => v, true);
    const topPost = topBy(postRow, opts.mistakeN ?? postRow.length, ([, v]) => v, true);
    const total = (row: [number, number][]) => row.reduce((a, [, v]) => a + v, 0);
    const mistakeLines = (top: [number, number][]) =>
      top.flatMap(([other]) => {
        const [a, b] = [count(pre, fc, other), count(post, fc, other)];
        const first = `\t${input.classNames[other]} ('${input.splitOf[other]}' split): ${a} -> ${pyFixed(b / n, 2)} (${b}/${n})`;
        const [ra, rb] = [count(pre, other, fc), count(post, other, fc)];
        return [first, `\t\t|-> as '${c.name}': ${ra} -> ${pyFixed(rb / n, 2)} (${rb}/${n})`];
      });
    lines.push(
      RULE,
      comboLine(c),
      '',
      `Training samples: ${c.trainSamples}`,
      `Baseline accuracy: ${pyFixed(c.baselineAcc, 2)}`,
      `Mean AlphaNet accuracy: ${pyFixed(c.alphanetAcc, 2)}`,
      '',
      `Top baseline misclassifications (total ${total(preRow)} mistakes / ${pre.predictions.get(fc) ?? 0} predictions),`,
      'and corresponding mean AlphaNet misclassifications',
      `(total ${total(postRow)} mistakes / ${post.predictions.get(fc) ?? 0} predictions, across ${n} repetition(s)):`,
      ...mistakeLines(topPre),
      '',
      'Top AlphaNet misclassifications:',
      ...mistakeLines(topPost),
      RULE,
      '',
    );
  }
  return lines.map((l) => l + '\n').join('');
}
