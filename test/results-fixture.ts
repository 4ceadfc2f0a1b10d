/**
 * Per-run accuracies (fractions) whose means and sample stds round to the original README's
 * printres example (ImageNet-LT | cRT, 10 runs per ρ), and builders of RunResults around them.
 */
import { defaultRunConfig } from '../src-shared/config.ts';
import type { EvalMetrics, EvalResult, RunResult } from '../src-shared/result.ts';

export interface SplitSeries {
  few: number[];
  medium: number[];
  many: number[];
  overall: number[];
}

export const README_BASELINE = { few: 0.274, medium: 0.462, many: 0.618, overall: 0.496 };

/** r=0.1: 47.6^±1.60^ 37.1^±0.76^ 53.8^±0.62^ 45.0^±0.41^ (python statistics: mean 47.6, std 1.6001914468796121 for few). */
export const README_R01: SplitSeries = {
  few: [0.4662, 0.48523, 0.46694, 0.46473, 0.44948, 0.46726, 0.50012, 0.48306, 0.49826, 0.47872],
  medium: [0.37689, 0.37534, 0.36165, 0.3803, 0.37772, 0.37766, 0.36146, 0.36107, 0.36739, 0.37051],
  many: [0.53749, 0.53452, 0.53932, 0.52947, 0.53752, 0.53825, 0.52931, 0.54945, 0.53962, 0.54504],
  overall: [0.44724, 0.44651, 0.44891, 0.45034, 0.45481, 0.45249, 0.44828, 0.4452, 0.44784, 0.45838],
};

/** r=0.2: 45.7^±1.56^ 39.0^±0.78^ 55.7^±0.79^ 46.3^±0.52^ */
export const README_R02: SplitSeries = {
  few: [0.44169, 0.46737, 0.47726, 0.45309, 0.44001, 0.46026, 0.46898, 0.47892, 0.44183, 0.44059],
  medium: [0.39235, 0.39074, 0.39809, 0.39426, 0.38674, 0.38555, 0.40528, 0.38544, 0.382, 0.37955],
  many: [0.55694, 0.55744, 0.55251, 0.55535, 0.55872, 0.56294, 0.56701, 0.55809, 0.53796, 0.56304],
  overall: [0.45812, 0.46269, 0.45792, 0.46332, 0.46046, 0.4641, 0.4754, 0.46314, 0.4664, 0.45847],
};

/** r=0.3: 42.9^±1.29^ 40.4^±0.72^ 57.0^±0.68^ 47.1^±0.47^ */
export const README_R03: SplitSeries = {
  few: [0.42324, 0.43784, 0.42624, 0.43335, 0.42925, 0.41222, 0.43633, 0.4152, 0.45641, 0.41991],
  medium: [0.40782, 0.40076, 0.41058, 0.39451, 0.41106, 0.39945, 0.41379, 0.40718, 0.40219, 0.39267],
  many: [0.57447, 0.57115, 0.58413, 0.56181, 0.57211, 0.57159, 0.56911, 0.56828, 0.56799, 0.55936],
  overall: [0.46131, 0.46522, 0.47148, 0.47731, 0.47393, 0.47441, 0.47266, 0.47216, 0.4689, 0.47262],
};

export const README_CONSOLE = `Experiment                Few         Med.         Many      Overall
----------------  -----------  -----------  -----------  -----------
Baseline                 27.4         46.2         61.8         49.6
AlphaNet (r=0.1)  47.6^±1.60^  37.1^±0.76^  53.8^±0.62^  45.0^±0.41^
AlphaNet (r=0.2)  45.7^±1.56^  39.0^±0.78^  55.7^±0.79^  46.3^±0.52^
AlphaNet (r=0.3)  42.9^±1.29^  40.4^±0.72^  57.0^±0.68^  47.1^±0.47^

Experiment,Few,Medium,Many,Overall
Baseline,27.4,46.2,61.8,49.6
AlphaNet (r=0.1),47.6,37.1,53.8,45.0
AlphaNet (r=0.2),45.7,39.0,55.7,46.3
AlphaNet (r=0.3),42.9,40.4,57.0,47.1

`;

export function evalMetrics(few: number, medium: number, many: number, overall: number): EvalMetrics {
  return {
    accuracy: overall,
    top5: Math.min(1, overall + 0.25),
    f1: overall * 0.9,
    per_split: { few, medium, many, overall },
  };
}

/** Run i of a series. */
export function seriesMetrics(series: SplitSeries, i: number): EvalMetrics {
  return evalMetrics(series.few[i], series.medium[i], series.many[i], series.overall[i]);
}

/** A complete RunResult as `train --save-file` writes it, with the given test metrics. */
export function runResult(
  test: EvalMetrics,
  opts: { seed?: number; kind?: 'train' | 'baseline'; dataset?: string; r?: string } = {},
): RunResult {
  const dataset = opts.dataset ?? 'imagenetlt';
  const config = defaultRunConfig(dataset);
  if (opts.r !== undefined) config.training.sampler_args = [{}, { r: opts.r }];
  const full: EvalResult = { ...test, per_class: [], per_class_total: [] };
  return {
    kind: opts.kind ?? 'train',
    dataset,
    config,
    seed: opts.seed ?? 0,
    backend: 'cpu',
    app_version: '0.1.0',
    selection: config.training.selection,
    epochs: [],
    best_epoch: opts.kind === 'baseline' ? null : 5,
    val: null,
    test: full,
    alphas: {},
  };
}
