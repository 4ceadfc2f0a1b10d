/**
 * Sweeps: a grid (and optionally random draws) over any run-config parameters × seeds, expanded into
 * the plain list of runs to queue, validated as a whole before anything is queued, and the human
 * labels (`k=5, ρ=0.5`) that name a run by the values its sweep varies. The form, the CLI, the API
 * and any queue use these same functions; expansion is pure, so any worker can consume its output.
 */
import { ACTIVATIONS, LR_SCHEDULERS, NN_DISTS, OPTIMIZERS, SELECTION_RULES, type RunConfig } from './config.ts';
import { isNumberText } from './optimizers.ts';
import { Rng } from './rng.ts';
import {
  SAMPLER_CLASSES,
  validateForDataset,
  validateRunConfig,
  type DatasetFacts,
  type FieldError,
} from './run-config-validation.ts';
import { configGroupKey, GROUP_KEY_IGNORED_PATHS } from './stats.ts';

/** A parameter's value: numbers and names, lists for `hdims` and `sampler_classes`, null for "none". */
export type SweepValue = number | string | null | number[] | string[];

export type SweepValueKind = 'integer' | 'number' | 'choice' | 'integers' | 'names';

export interface SweepParam {
  /** The config path, dotted: `training.n_neighbors`, `training.sampler_args.1.r`. */
  path: string;
  /** The short name in labels, columns and axes (`k`, `ρ`, `lr`). */
  name: string;
  /** The `alphanet train` flag it comes from, as a grid key (`training:n-neighbors`). */
  flag: string;
  kind: SweepValueKind;
  choices?: readonly string[];
  /** Random search draws it log-uniformly (learning rates, decays). */
  log?: boolean;
}

/**
 * The parameters a sweep can vary, in the order labels and columns list them. key=value parameters
 * (`training.optim_params.*`, `training.lr_sched_params.*`, `training.sampler_args.<i>.*`) are
 * sweepable too; paramInfo() describes them.
 */
export const SWEEP_PARAMS: readonly SweepParam[] = [
  { path: 'training.n_neighbors', name: 'k', flag: 'training:n-neighbors', kind: 'integer' },
  { path: 'training.nn_dist', name: 'dist', flag: 'training:nn-dist', kind: 'choice', choices: NN_DISTS },
  { path: 'training.optim_cls', name: 'optim', flag: 'training:ptopt:optim-cls', kind: 'choice', choices: OPTIMIZERS },
  { path: 'training.optim_params.lr', name: 'lr', flag: 'lr', kind: 'number', log: true },
  {
    path: 'training.lr_sched_cls',
    name: 'sched',
    flag: 'training:ptopt:lr-sched-cls',
    kind: 'choice',
    choices: [...LR_SCHEDULERS, 'none'],
  },
  { path: 'training.train_epochs', name: 'epochs', flag: 'training:train-epochs', kind: 'integer' },
  { path: 'training.min_epochs', name: 'min_epochs', flag: 'training:min-epochs', kind: 'integer' },
  { path: 'training.train_batch_size', name: 'batch', flag: 'training:train-batch-size', kind: 'integer' },
  {
    path: 'training.sampler_classes',
    name: 'samplers',
    flag: 'training:sampler-builder:sampler-classes',
    kind: 'names',
    choices: SAMPLER_CLASSES,
  },
  { path: 'training.pred_scale', name: 'scale', flag: 'training:pred-scale', kind: 'number' },
  { path: 'alphanet.hdims', name: 'hdims', flag: 'alphanet:hdims', kind: 'integers' },
  { path: 'alphanet.hact', name: 'act', flag: 'alphanet:hact', kind: 'choice', choices: ACTIVATIONS },
  {
    path: 'training.selection',
    name: 'selection',
    flag: 'training:selection',
    kind: 'choice',
    choices: SELECTION_RULES,
  },
];

/** The key=value parameter sets, by config path, with their train flag. */
const KEY_VALUE_SETS: readonly { path: string; flag: string }[] = [
  { path: 'training.optim_params', flag: 'training:ptopt:optim-params' },
  { path: 'training.lr_sched_params', flag: 'training:ptopt:lr-sched-params' },
  { path: 'training.sampler_args', flag: 'training:sampler-builder:sampler-args' },
];

/** Parameters whose decay-like values random search draws log-uniformly. */
const LOG_KEYS = new Set(['lr', 'weight_decay', 'eps', 'eta_min']);

/** The sampler whose `r` the short key `r` (and the name ρ) means: the first with an `r`, else the first taking one. */
export function baseSamplerIndex(config: RunConfig): number {
  const t = config.training;
  if (t.sampler_args.length === 1) return 0;
  const withR = t.sampler_args.findIndex((a) => a.r !== undefined);
  if (withR >= 0) return withR;
  const taking = t.sampler_classes.findIndex((c) => !c.startsWith('All'));
  return taking >= 0 ? taking : 0;
}

/** What a config path is: from the table, or a key=value parameter, or (any other field) by its last part. */
export function paramInfo(path: string, config?: RunConfig): SweepParam {
  const known = SWEEP_PARAMS.find((p) => p.path === path);
  if (known) return known;
  const parts = path.split('.');
  const set = KEY_VALUE_SETS.find((s) => path.startsWith(`${s.path}.`));
  if (set) {
    const key = parts[parts.length - 1];
    const log = LOG_KEYS.has(key);
    if (set.path === 'training.sampler_args') {
      const index = Number(parts[2]);
      const isBase = config === undefined || index === baseSamplerIndex(config);
      const name = key === 'r' ? (isBase ? 'ρ' : `ρ${index}`) : `${key}${index}`;
      return { path, name, flag: `${set.flag}.${parts.slice(2).join('.')}`, kind: 'number', log };
    }
    return { path, name: key, flag: `${set.flag}.${key}`, kind: 'number', log };
  }
  return { path, name: parts[parts.length - 1], flag: path, kind: 'choice' };
}

function samplerArgsPath(config: RunConfig): string {
  return `training.sampler_args.${baseSamplerIndex(config)}.r`;
}

/**
 * The config path a grid key names: `r` (the base sampler's ratio), a short name (`k`, `lr`), a train
 * flag without dashes (`training:n-neighbors`, `training:ptopt:optim-params.weight_decay`) or a dotted
 * path (`training.sampler_args.1.r`). Throws Error listing what can be swept.
 */
export function resolveParamKey(key: string, config: RunConfig): string {
  const k = key.trim();
  if (k === 'r' || k === 'ρ') return samplerArgsPath(config);
  const known = SWEEP_PARAMS.find((p) => p.flag === k || p.path === k || p.name === k);
  if (known) return known.path;
  for (const set of KEY_VALUE_SETS) {
    for (const prefix of [`${set.flag}.`, `${set.path}.`]) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const ok = set.path === 'training.sampler_args' ? /^\d+\.\w+$/.test(rest) : /^\w+$/.test(rest);
      if (ok) return `${set.path}.${rest}`;
    }
  }
  throw new Error(
    `'${key}' is not a sweepable parameter (use r, ${SWEEP_PARAMS.map((p) => p.name).join(', ')}, a train flag such as ` +
      `training:n-neighbors, or a key=value parameter such as training:ptopt:optim-params.weight_decay)`,
  );
}

/** One value from its text (the CLI's and the form's): lists are space-separated (`64 64`). Throws Error. */
export function parseSweepValue(param: SweepParam, text: string): SweepValue {
  const raw = text.trim();
  return coerceSweepValue(
    param,
    param.kind === 'integers' || param.kind === 'names' ? raw.split(/\s+/).filter(Boolean) : raw,
  );
}

/** Comma-separated values: `3,5,10`, `euclidean,cosine`, `64 64,128`. Throws Error naming the bad value. */
export function parseSweepValues(param: SweepParam, text: string): SweepValue[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new Error(`${param.name}: give at least one value`);
  return parts.map((p) => parseSweepValue(param, p));
}

/** A value of the parameter's kind from text or a TOML/JSON value; throws Error with the parameter's name. */
export function coerceSweepValue(param: SweepParam, raw: unknown): SweepValue {
  const bad = (what: string): never => {
    throw new Error(`${param.name} = ${JSON.stringify(raw)}: ${what}`);
  };
  const toNumber = (v: unknown): number => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && isNumberText(v) ? Number(v) : Number.NaN;
    return Number.isFinite(n) ? n : bad('not a number');
  };
  switch (param.kind) {
    case 'integer': {
      const n = toNumber(raw);
      return Number.isInteger(n) ? n : bad('not a whole number');
    }
    case 'number':
      return toNumber(raw);
    case 'choice': {
      if (typeof raw !== 'string' && typeof raw !== 'number') bad('not a name');
      const s = String(raw);
      if (param.choices && !param.choices.includes(s)) bad(`not one of ${param.choices.join(', ')}`);
      return s;
    }
    case 'integers': {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) bad('give at least one number');
      return list.map((v) => {
        const n = toNumber(v);
        return Number.isInteger(n) ? n : bad('not whole numbers');
      });
    }
    case 'names': {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((v) => typeof v !== 'string')) bad('give one or more names');
      const names = list as string[];
      const unknown = param.choices ? names.find((n) => !param.choices?.includes(n)) : undefined;
      if (unknown !== undefined) bad(`unknown '${unknown}' (known: ${param.choices?.join(', ')})`);
      return names;
    }
  }
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/**
 * The config with one parameter set (a copy). key=value parameters keep their string form and may be
 * new keys (the validator then judges them); `none` as a scheduler means no scheduler, whose
 * parameters are then dropped. Throws Error for a path that is not in the config.
 */
export function withParam(config: RunConfig, path: string, value: SweepValue): RunConfig {
  const next = structuredClone(config);
  const parts = path.split('.');
  let node: unknown = next;
  for (const part of parts.slice(0, -1)) {
    if (!isContainer(node) || !(part in node)) throw new Error(`'${path}' is not a parameter of the config`);
    node = (node as Record<string, unknown>)[part];
  }
  const last = parts[parts.length - 1];
  if (!isContainer(node) || Array.isArray(node)) throw new Error(`'${path}' is not a parameter of the config`);
  const inKeyValues = KEY_VALUE_SETS.some((s) => path.startsWith(`${s.path}.`));
  if (inKeyValues) node[last] = Array.isArray(value) ? value.join(',') : String(value);
  else if (!(last in node)) throw new Error(`'${path}' is not a parameter of the config`);
  else if (path === 'training.lr_sched_cls') {
    node[last] = value === 'none' ? null : value;
    if (value !== config.training.lr_sched_cls) next.training.lr_sched_params = {};
  } else node[last] = Array.isArray(value) ? [...value] : value;
  return next;
}

/** One axis of a grid: a parameter (a config path) and its values. */
export interface SweepAxis {
  param: string;
  values: SweepValue[];
}

/** A range for random search: numbers between min and max (log-uniform when `log`), or one of `choices`. */
export type RandomRange =
  { param: string; min: number; max: number; log?: boolean } | { param: string; choices: SweepValue[] };

export interface RandomSearch {
  /** How many configs to draw. */
  n: number;
  /** Seeds the draws: the same seed gives the same configs. */
  seed: number;
  ranges: RandomRange[];
}

/** What varies: every grid combination, crossed with `random.n` draws when given. Seeds are separate. */
export interface SweepSpec {
  grid: SweepAxis[];
  random?: RandomSearch;
}

export interface SweepConfig {
  config: RunConfig;
  /** The swept values of this config, in the sweep's parameter order. */
  values: SweptValue[];
  /** `k=5, ρ=0.5`. */
  label: string;
}

/** One run to queue: what any queue needs, nothing else. */
export interface SweepRun {
  config: RunConfig;
  seed: number;
  /** Which config of sweepConfigs() it repeats. */
  configIndex: number;
  label: string;
}

function drawRange(range: RandomRange, param: SweepParam, rng: Rng): SweepValue {
  if ('choices' in range) return range.choices[rng.nextInt(range.choices.length)];
  const u = rng.nextFloat();
  const log = range.log ?? param.log ?? false;
  const x = log
    ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min)))
    : range.min + u * (range.max - range.min);
  // Integer parameters draw whole numbers in [min, max]; others keep 4 significant digits, readable in labels.
  return param.kind === 'integer'
    ? Math.min(range.max, Math.floor(range.min + u * (range.max - range.min + 1)))
    : Number(x.toPrecision(4));
}

/** The sweep's parameters (config paths) in order: the grid's, then the random ranges'. */
export function sweepParams(spec: SweepSpec): string[] {
  return [...new Set([...spec.grid.map((a) => a.param), ...(spec.random?.ranges.map((r) => r.param) ?? [])])];
}

/** The value sets of a sweep, before they are put into configs: grid order (first axis slowest), draws innermost. */
function sweepPoints(base: RunConfig, spec: SweepSpec): Map<string, SweepValue>[] {
  let points: Map<string, SweepValue>[] = [new Map()];
  for (const axis of spec.grid) points = points.flatMap((p) => axis.values.map((v) => new Map(p).set(axis.param, v)));
  if (spec.random) {
    const { n, seed, ranges } = spec.random;
    const rng = Rng.fromSeed(seed, 'sweep-random');
    const draws = Array.from(
      { length: n },
      () => new Map(ranges.map((r) => [r.param, drawRange(r, paramInfo(r.param, base), rng)] as const)),
    );
    points = points.flatMap((p) => draws.map((d) => new Map([...p, ...d])));
  }
  return points;
}

/** Every config of a sweep, labelled by its values. Throws Error for a parameter not in the config. */
export function sweepConfigs(base: RunConfig, spec: SweepSpec): SweepConfig[] {
  const params = sweepParams(spec);
  return sweepPoints(base, spec).map((point) => {
    let config = base;
    for (const [param, value] of point) config = withParam(config, param, value);
    const values = params.map((param) => sweptValue(param, point.get(param) ?? null, base));
    return { config, values, label: labelOf(values) };
  });
}

/** The runs of a sweep: each config once per seed, config by config (a queue then finishes configs in turn). */
export function expandSweep(base: RunConfig, spec: SweepSpec, seeds: readonly number[]): SweepRun[] {
  return sweepConfigs(base, spec).flatMap((c, configIndex) =>
    seeds.map((seed) => ({ config: c.config, seed, configIndex, label: c.label })),
  );
}

/** How many configs a sweep makes (without expanding it). */
export function sweepSize(spec: SweepSpec): number {
  return spec.grid.reduce((n, a) => n * a.values.length, 1) * (spec.random ? spec.random.n : 1);
}

/** The most configs one sweep may make (a typo should not expand into millions). */
export const MAX_SWEEP_CONFIGS = 10_000;

function checkConfig(config: RunConfig, facts: DatasetFacts | undefined): FieldError[] {
  return [...validateRunConfig(config), ...(facts ? validateForDataset(config, facts) : [])];
}

/**
 * Every problem of a sweep, before anything is queued. A value that is wrong on its own is reported as
 * `sweep.<param>` with `name = value: problem`; values wrong only together (min_epochs vs train_epochs)
 * under the config's label. The base config's own problems keep their paths.
 */
export function validateSweep(base: RunConfig, spec: SweepSpec, facts?: DatasetFacts): FieldError[] {
  const errors: FieldError[] = [];
  const params = sweepParams(spec);
  const swept = new Set(params);
  // The base config's problems in fields no axis replaces.
  const baseProblems = checkConfig(base, facts).filter((e) => !swept.has(e.path));
  if (baseProblems.length > 0) return baseProblems;
  const seen = new Set<string>();
  const add = (e: FieldError) => {
    const key = `${e.path}\n${e.message}`;
    if (seen.has(key)) return;
    errors.push(e);
    seen.add(key);
  };
  for (const [i, axis] of spec.grid.entries()) {
    const info = paramInfo(axis.param, base);
    if (axis.values.length === 0)
      add({ path: `sweep.${axis.param}`, message: `${info.name}: give at least one value` });
    if (spec.grid.findIndex((a) => a.param === axis.param) !== i)
      add({ path: `sweep.${axis.param}`, message: `${info.name} is swept twice` });
    for (const value of axis.values) {
      let config: RunConfig;
      try {
        coerceSweepValue(info, value);
        config = withParam(base, axis.param, value);
      } catch (error) {
        add({ path: `sweep.${axis.param}`, message: (error as Error).message });
        continue;
      }
      // A problem in a field another axis sweeps depends on that axis's value: the combinations below judge it.
      for (const e of checkConfig(config, facts).filter((p) => p.path === axis.param || !swept.has(p.path))) {
        const where = e.path === axis.param ? '' : `${e.path}: `;
        add({
          path: `sweep.${axis.param}`,
          message: `${info.name} = ${formatSweepValue(value)}: ${where}${e.message}`,
        });
      }
    }
  }
  if (spec.random) {
    const { n, seed, ranges } = spec.random;
    if (!Number.isInteger(n) || n < 1) add({ path: 'sweep.random.n', message: 'draws must be a whole number ≥ 1' });
    if (!Number.isSafeInteger(seed) || seed < 0)
      add({ path: 'sweep.random.seed', message: 'must be a whole number ≥ 0' });
    for (const r of ranges) {
      const info = paramInfo(r.param, base);
      if ('choices' in r) {
        if (r.choices.length === 0)
          add({ path: `sweep.${r.param}`, message: `${info.name}: give at least one choice` });
        for (const c of r.choices) {
          try {
            coerceSweepValue(info, c);
          } catch (error) {
            add({ path: `sweep.${r.param}`, message: (error as Error).message });
          }
        }
      } else if (
        !(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max) ||
        ((r.log ?? info.log) && r.min <= 0)
      ) {
        add({
          path: `sweep.${r.param}`,
          message: `${info.name}: the range [${r.min}, ${r.max}] must have min ≤ max${(r.log ?? info.log) ? ', both > 0 (log-uniform)' : ''}`,
        });
      } else if (info.kind !== 'integer' && info.kind !== 'number')
        add({ path: `sweep.${r.param}`, message: `${info.name} is not numeric: draw it from choices` });
    }
  }
  if (errors.length > 0) return errors;
  if (sweepSize(spec) > MAX_SWEEP_CONFIGS)
    return [{ path: 'sweep', message: `makes ${sweepSize(spec)} configs; at most ${MAX_SWEEP_CONFIGS}` }];
  let configs: SweepConfig[];
  try {
    configs = sweepConfigs(base, spec);
  } catch (error) {
    return [{ path: 'sweep', message: (error as Error).message }];
  }
  for (const c of configs)
    for (const e of checkConfig(c.config, facts))
      add({ path: 'sweep', message: `${c.label}: ${e.path}: ${e.message}` });
  return errors;
}

/** One varied parameter's value in a run's label. */
export interface SweptValue {
  /** The config path. */
  param: string;
  /** The short name (`k`). */
  name: string;
  /** undefined where the run's config lacks the parameter (a key=value only some runs set). */
  value: SweepValue | undefined;
  text: string;
}

/** A value as labels print it: numbers to 4 significant digits, lists space-separated, null as none. */
export function formatSweepValue(value: SweepValue | undefined): string {
  if (value === undefined) return '–';
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.map((v) => formatSweepValue(v)).join(' ');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return value;
}

function sweptValue(param: string, value: SweepValue | undefined, config: RunConfig): SweptValue {
  return { param, name: paramInfo(param, config).name, value, text: formatSweepValue(value) };
}

/** `k=5, ρ=0.5`; lists in brackets (`hdims=[64 64]`). */
export function labelOf(values: readonly SweptValue[]): string {
  return values
    .map((v) => `${v.name}=${Array.isArray(v.value) && v.value.length > 1 ? `[${v.text}]` : v.text}`)
    .join(', ');
}

/** The leaf values of a config by dotted path (lists of plain values are leaves). */
function leaves(value: unknown, prefix: string, out: Map<string, SweepValue>): Map<string, SweepValue> {
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    out.set(prefix, value as SweepValue);
  else if (isContainer(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, value as SweepValue);
  return out;
}

function paramOrder(path: string): number {
  const i = SWEEP_PARAMS.findIndex((p) => p.path === path);
  return i >= 0 ? i : SWEEP_PARAMS.length;
}

/** Label order: the table's parameters in its order, then the rest by path. */
function byLabelOrder(a: string, b: string): number {
  return paramOrder(a) - paramOrder(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The config paths on which `configs` differ (the seed and the log folder never count), in label order. */
export function variedParams(configs: readonly RunConfig[]): string[] {
  const ignored = new Set(GROUP_KEY_IGNORED_PATHS);
  const all = configs.map((c) => leaves(c, '', new Map()));
  const paths = new Set(all.flatMap((m) => [...m.keys()]));
  const key = (v: SweepValue | undefined) => JSON.stringify(v ?? '\u0000undefined');
  const varied = [...paths].filter((p) => !ignored.has(p) && new Set(all.map((m) => key(m.get(p)))).size > 1);
  return varied.sort(byLabelOrder);
}

/** Every leaf of a config (dotted paths), in label order: what a run's page lists. */
export function configPaths(config: RunConfig): string[] {
  return [...leaves(config, '', new Map()).keys()].sort(byLabelOrder);
}

/** A config's values of the given parameters. */
export function valuesOf(config: RunConfig, params: readonly string[]): SweptValue[] {
  const all = leaves(config, '', new Map());
  return params.map((p) => sweptValue(p, all.get(p), config));
}

/** A set of runs' labels: what distinguishes each config from the others of its set. */
export interface ConfigLabels {
  /** The varied parameters, in label order. */
  params: string[];
  /** config hash → its values and label (`''` where nothing varies). */
  byConfig: Map<string, { values: SweptValue[]; label: string }>;
}

/**
 * Labels for the configs of one set of runs (an experiment): by the parameters on which they differ.
 * `hashes` (the runs' recorded config hashes, parallel to `configs`) saves hashing each config again.
 */
export function configLabels(configs: readonly RunConfig[], hashes?: readonly string[]): ConfigLabels {
  // Repetitions share a config: compare each distinct config once.
  const distinct = new Map<string, RunConfig>();
  configs.forEach((config, i) => {
    const hash = hashes?.[i] ?? configGroupKey(config);
    if (!distinct.has(hash)) distinct.set(hash, config);
  });
  const params = variedParams([...distinct.values()]);
  const byConfig = new Map<string, { values: SweptValue[]; label: string }>();
  for (const [hash, config] of distinct) {
    const values = valuesOf(config, params);
    byConfig.set(hash, { values, label: labelOf(values) });
  }
  return { params, byConfig };
}

/** Every parameter of `config` a sweep can vary (config paths): the table's, then its key=value parameters. */
export function sweepableParams(config: RunConfig): string[] {
  const t = config.training;
  const keyed = [
    ...Object.keys(t.optim_params).map((k) => `training.optim_params.${k}`),
    ...Object.keys(t.lr_sched_params).map((k) => `training.lr_sched_params.${k}`),
    ...t.sampler_args.flatMap((args, i) => Object.keys(args).map((k) => `training.sampler_args.${i}.${k}`)),
  ];
  return [...new Set([...SWEEP_PARAMS.map((p) => p.path), ...keyed])];
}

/**
 * Labels for runs of many experiments: each run by what varies among the configs of its experiment
 * on its dataset (a sweep's values; nothing for repetitions of one config).
 */
export function labelRuns<R extends { dataset: string; experiment: string; config: RunConfig; configHash: string }>(
  runs: readonly R[],
): (run: R) => { values: SweptValue[]; label: string } {
  const sets = new Map<string, R[]>();
  const keyOf = (r: R) => JSON.stringify([r.dataset, r.experiment]);
  for (const r of runs) {
    const set = sets.get(keyOf(r));
    if (set) set.push(r);
    else sets.set(keyOf(r), [r]);
  }
  const labels = new Map(
    [...sets].map(([k, members]) => [
      k,
      configLabels(
        members.map((r) => r.config),
        members.map((r) => r.configHash),
      ),
    ]),
  );
  return (run) => labels.get(keyOf(run))?.byConfig.get(run.configHash) ?? { values: [], label: '' };
}
