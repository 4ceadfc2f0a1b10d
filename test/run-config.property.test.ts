/**
 * Whatever the launch form or the API accepts, the engine accepts, and the other way round: thousands of
 * seeded random run settings, valid and near every boundary, through the form's parse + validation, the
 * API's validator (plus the dataset checks its handler adds) and the engine's check before training.
 * Accepted settings must then build: optimiser and its state, scheduler, samplers, neighbours, network.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  defaultRunConfig,
  LR_SCHEDULERS,
  NN_DISTS,
  OPTIMIZERS,
  SELECTION_RULES,
  type KeyValues,
  type RunConfig,
} from '../src-shared/config.ts';
import {
  OPTIMIZER_TABLE,
  SCHEDULER_TABLE,
  isLrScheduler,
  isOptimizer,
  type ParamKind,
} from '../src-shared/optimizers.ts';
import { Rng } from '../src-shared/rng.ts';
import { datasetFacts, MAX_HIDDEN_SIZE, SAMPLER_CLASSES } from '../src-shared/run-config-validation.ts';
import { validateSweep } from '../src-shared/sweep.ts';
import { ApiValidationError, validators } from '../src-main/api/validate.ts';
import { buildProblem, initNetwork, layerShapes } from '../src-main/engine/model.ts';
import { computeNeighbors } from '../src-main/engine/neighbors.ts';
import { initOptimizerState, lrAt, parseOptimizer, parseScheduler } from '../src-main/engine/optim.ts';
import { ConfigError, validateRun } from '../src-main/engine/run.ts';
import { buildSamplingIndex, drawEpoch, makeSamplers } from '../src-main/engine/samplers.ts';
import { makeSyntheticDataset } from '../src-main/engine/synthetic.ts';
import { configFromForm, formFromConfig, requestFromForm } from '../src-renderer/src/lib/launch-form.ts';

const CASES = 3000;
const ds = makeSyntheticDataset({
  nClasses: 12,
  dim: 6,
  maxPerClass: 150,
  minPerClass: 5,
  valPerClass: 3,
  testPerClass: 3,
  seed: 17,
});
const facts = datasetFacts(ds.spec.key, ds.splits, Object.keys(ds.datagrps));
const nBase = facts.splitClasses.many + facts.splitClasses.medium;

/** Values of each kind: valid ones, the boundary, and wrong ones (wrong type, out of range, not a number). */
const PARAM_VALUES: Record<ParamKind, string[]> = {
  positive: ['0.001', '1', '1e-8', '0', '-0.1', 'abc', '', 'NaN', 'Infinity', '(1,2)'],
  nonneg: ['0', '0.5', '3', '-1', '-1e-9', 'x', '', 'true'],
  unit: ['0', '1', '0.5', '1.5', '-0.1', 'one'],
  number: ['0', '-3', '2.5', 'y', '', '1e400'],
  integer: ['1', '3', '10', '0', '1.5', '-2', 'ten', '[2]'],
  boolean: ['true', 'false', '0', '1', 'True', 'yes', '', '2'],
  betas: ['(0.9,0.999)', '0.9,0.999', '[0.5,0.5]', '(0,0)', '(1,0.9)', '(0.9)', '(a,b)', '(0.9,0.999,0.1)', '0.9'],
  pair: ['(0.5,1.2)', '(1e-06,50)', '(0,1)', '(-1,2)', '(1)', 'x'],
  integers: ['[5,10]', '[]', '[0]', '3', '[1.5]', '[-1]', '[a]'],
};

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.nextInt(items.length)];
}

function chance(rng: Rng, p: number): boolean {
  return rng.nextFloat() < p;
}

/** key=value parameters for a table: some of its keys with any value of their kind, now and then an unknown key. */
function params(rng: Rng, table: Record<string, { kind: ParamKind }>): KeyValues {
  const out: KeyValues = {};
  for (const [key, spec] of Object.entries(table)) if (chance(rng, 0.35)) out[key] = pick(rng, PARAM_VALUES[spec.kind]);
  if (chance(rng, 0.05)) out[pick(rng, ['beta1', 'momentum', 'step', 'r'])] = '0.5';
  return out;
}

function hdims(rng: Rng): number[] {
  const edge = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_HIDDEN_SIZE, MAX_HIDDEN_SIZE + 1, 1e20];
  const n = pick(rng, [0, 1, 1, 2, 3, 3, 4]);
  return Array.from({ length: n }, () => (chance(rng, 0.85) ? 1 + rng.nextInt(48) : pick(rng, edge)));
}

const BAD_WHOLE = [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY];
const WHOLE = (rng: Rng, valid: number[]) => (chance(rng, 0.75) ? pick(rng, valid) : pick(rng, BAD_WHOLE));

/** A config near the defaults with a few fields changed, each to a valid value or one at or past a boundary. */
function randomConfig(rng: Rng): RunConfig {
  const c = defaultRunConfig(ds.spec.key);
  const t = c.training;
  const maybe = (p: number, change: () => void) => chance(rng, p) && change();
  maybe(0.03, () => (c.dataset = pick(rng, ['', '  '])));
  maybe(0.4, () => (c.alphanet.hdims = hdims(rng)));
  maybe(0.15, () => (c.alphanet.hact = pick(rng, [...ACTIVATIONS, 'swish', 'softmax', 'relu_'] as typeof ACTIVATIONS)));
  maybe(
    0.3,
    () => (t.n_neighbors = chance(rng, 0.7) ? pick(rng, [1, 2, 5, nBase - 1, nBase, nBase + 3]) : pick(rng, BAD_WHOLE)),
  );
  maybe(0.1, () => (t.nn_dist = pick(rng, [...NN_DISTS, 'manhattan'] as typeof NN_DISTS)));
  maybe(0.5, () => {
    t.optim_cls = chance(rng, 0.95)
      ? pick(rng, OPTIMIZERS)
      : (pick(rng, ['LBFGS', 'adamw']) as (typeof OPTIMIZERS)[number]);
    t.optim_params = params(rng, isOptimizer(t.optim_cls) ? OPTIMIZER_TABLE[t.optim_cls].params : {});
  });
  maybe(0.4, () => {
    const name = chance(rng, 0.9) ? pick(rng, [...LR_SCHEDULERS, null]) : 'Plateau';
    t.lr_sched_cls = name as RunConfig['training']['lr_sched_cls'];
    t.lr_sched_params =
      name !== null && isLrScheduler(name)
        ? params(rng, SCHEDULER_TABLE[name].params)
        : chance(rng, 0.8)
          ? {}
          : { gamma: '0.1' };
  });
  maybe(0.3, () => (t.train_epochs = WHOLE(rng, [1, 2, 5, 25])));
  maybe(0.3, () => (t.min_epochs = WHOLE(rng, [1, 2, 5, 25, 30])));
  maybe(0.15, () => (t.train_batch_size = WHOLE(rng, [1, 16, 64])));
  maybe(0.15, () => (t.eval_batch_size = WHOLE(rng, [1, 1024])));
  maybe(0.35, () => {
    const n = pick(rng, [0, 1, 2, 3]);
    t.sampler_classes = Array.from({ length: n }, () =>
      chance(rng, 0.95) ? pick(rng, SAMPLER_CLASSES) : 'FancySampler',
    );
    const nArgs = chance(rng, 0.85) ? pick(rng, [1, n]) : n + 1;
    const r = () => pick(rng, ['0.1', '0.5', '1', '2', '10', '0', '-1', 'abc', '']);
    t.sampler_args = Array.from({ length: nArgs }, (): KeyValues =>
      chance(rng, 0.3) ? {} : chance(rng, 0.95) ? { r: r() } : { q: '1' },
    );
  });
  maybe(0.15, () => (t.pred_scale = pick(rng, [1, 0.5, 10, 0, -1, Number.NaN, Number.POSITIVE_INFINITY])));
  const grp = () => pick(rng, ['train', 'val', 'test', 'nope', '', '  ']);
  maybe(0.08, () => (t.train_datagrp = grp()));
  maybe(0.08, () => (t.val_datagrp = chance(rng, 0.3) ? null : grp()));
  maybe(0.08, () => (t.test_datagrp = grp()));
  maybe(0.05, () => (t.selection = pick(rng, [...SELECTION_RULES, 'best'] as typeof SELECTION_RULES)));
  return c;
}

/** The engine's verdict; anything but its ConfigError is a bug the test reports. */
function engineAccepts(config: RunConfig): boolean {
  try {
    validateRun(ds, config);
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** The API's verdict: the method's validator, then the dataset checks launchExperiment applies. */
function apiAccepts(config: RunConfig): boolean {
  // What arrives over HTTP or IPC is JSON: NaN and ±Infinity arrive as null.
  const raw: unknown = JSON.parse(JSON.stringify({ experiment: 'p', config, repetitions: 1 }));
  try {
    const request = validators.launchExperiment(raw);
    return validateSweep(request.config, { grid: [] }, facts).length === 0;
  } catch (error) {
    if (error instanceof ApiValidationError) return false;
    throw error;
  }
}

/** The form's verdict on what it shows for `config`, plus the dataset checks main adds on arrival. */
function formVerdict(config: RunConfig): { accepts: boolean; sends: RunConfig } {
  const form = { ...formFromConfig(config, 'p') };
  const { request } = requestFromForm(form);
  const sends = configFromForm(form, {});
  return { accepts: request !== null && validateSweep(request.config, { grid: [] }, facts).length === 0, sends };
}

/** Builds what a run builds from an accepted config, short of training. */
function build(config: RunConfig, seed: number): void {
  const t = config.training;
  const optim = parseOptimizer(t.optim_cls, t.optim_params);
  const sched = parseScheduler(t.lr_sched_cls, t.lr_sched_params);
  expect(Number.isFinite(lrAt(sched, optim.lr, t.train_epochs))).toBe(true);
  const samplers = makeSamplers(
    t.sampler_classes,
    t.sampler_args,
    buildSamplingIndex(ds.datagrps[t.train_datagrp].labels, ds.splitOf),
  );
  drawEpoch(samplers, Rng.fromSeed(seed, 'draw'));
  const table = computeNeighbors(ds, t.n_neighbors, t.nn_dist, seed, t.train_datagrp);
  const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
  const spec = {
    inDim: (problem.k + 1) * problem.dim,
    hdims: config.alphanet.hdims,
    outDim: problem.k,
    act: config.alphanet.hact,
  };
  const size = layerShapes(spec).reduce((n, l) => n + l.inDim * l.outDim + l.outDim, 0);
  // Drawing millions of initial weights would make the test slow, not stronger: big networks are allocated only.
  const params =
    size <= 1 << 18
      ? initNetwork(spec, Rng.fromSeed(seed, 'init'))
      : layerShapes(spec).map((l) => new Float32Array(l.inDim * l.outDim));
  initOptimizerState(optim, params);
}

describe('the rules of a run’s settings', () => {
  it(`agree between the form, the API and the engine on ${CASES} seeded random configs, and accepted ones build`, () => {
    const rng = Rng.fromSeed(20_170, 'run-config-property');
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const config = randomConfig(rng);
      const label = `case ${i}: ${JSON.stringify(config)}`;
      const engine = engineAccepts(config);
      expect(apiAccepts(config), label).toBe(engine);
      const form = formVerdict(config);
      // The form can say less than the API (no scheduler parameters without a scheduler): judge what it sends.
      expect(form.accepts, `${label} as the form sends it: ${JSON.stringify(form.sends)}`).toBe(
        engineAccepts(form.sends),
      );
      if (engine) {
        accepted++;
        build(config, i);
      }
    }
    // Both verdicts must be well represented, or the test proves little.
    expect(accepted).toBeGreaterThan(CASES / 10);
    expect(accepted).toBeLessThan(CASES * 0.9);
  });
});
