/**
 * Validators for every API method's parameters, run in main on whatever arrives over IPC or HTTP:
 * each returns a typed value or throws ApiValidationError naming the field and the problem.
 */
import {
  ACTIVATIONS,
  LR_SCHEDULERS,
  NN_DISTS,
  OPTIMIZERS,
  SELECTION_RULES,
  type KeyValues,
  type RunConfig,
} from '../../src-shared/config.ts';
import {
  MAX_PREFERENCE_CHARS,
  MAX_PREFERENCE_KEYS,
  PREFERENCE_SCOPES,
  RUN_STATUSES,
  SERIES_FORMATS,
  type AddDatasetRequest,
  type ApiMethod,
  type ApiParams,
  type LaunchRequest,
  type RunFilter,
} from '../../src-shared/api.ts';
import { AnnotationError, normalizeNotes, normalizeTags } from '../../src-shared/run-annotations.ts';
import { validateRunConfig, type FieldError } from '../../src-shared/run-config-validation.ts';
import {
  coerceSweepValue,
  paramInfo,
  resolveParamKey,
  sweepSize,
  validateSweep,
  type RandomRange,
  type SweepSpec,
} from '../../src-shared/sweep.ts';
import { checkRedisUrl } from '../distributed/redis.ts';
import { UserError } from '../errors.ts';

export class ApiValidationError extends UserError {
  override name = 'ApiValidationError';
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The most runs one launch may queue (a typo in a sweep should not queue a million). */
export const MAX_RUNS_PER_LAUNCH = 1000;

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new ApiValidationError(`${path}: ${message}`, [{ path, message }]);
}

function object(raw: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object');
  const unknown = Object.keys(raw).filter((k) => !keys.includes(k));
  if (unknown.length > 0) fail(`${path}.${unknown[0]}`, `unknown field (expected: ${keys.join(', ') || 'none'})`);
  return raw as Obj;
}

function string(raw: unknown, path: string): string {
  if (typeof raw !== 'string') fail(path, 'must be a string');
  return raw;
}

function nonEmpty(raw: unknown, path: string): string {
  const s = string(raw, path);
  if (s.trim() === '') fail(path, 'must not be empty');
  return s;
}

function number(raw: unknown, path: string): number {
  // NaN arrives as null through JSON; the semantic check then says what the field needs.
  if (raw === null) return Number.NaN;
  if (typeof raw !== 'number') fail(path, 'must be a number');
  return raw;
}

function id(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 1)
    fail(path, 'must be a run id (a whole number ≥ 1)');
  return raw;
}

function oneOf<T extends string>(raw: unknown, path: string, choices: readonly T[]): T {
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
    fail(path, `must be one of ${choices.join(', ')}`);
  }
  return raw as T;
}

function array<T>(raw: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(raw)) fail(path, 'must be a list');
  return raw.map((v, i) => item(v, `${path}.${i}`));
}

function keyValues(raw: unknown, path: string): KeyValues {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(path, 'must be an object of key=value strings');
  const out: KeyValues = {};
  for (const [k, v] of Object.entries(raw)) out[k] = string(v, `${path}.${k}`);
  return out;
}

function nullable<T>(raw: unknown, path: string, inner: (v: unknown, p: string) => T): T | null {
  return raw === null ? null : inner(raw, path);
}

const TRAINING_KEYS = [
  'n_neighbors',
  'nn_dist',
  'optim_cls',
  'optim_params',
  'lr_sched_cls',
  'lr_sched_params',
  'train_epochs',
  'min_epochs',
  'train_batch_size',
  'eval_batch_size',
  'sampler_classes',
  'sampler_args',
  'pred_scale',
  'train_datagrp',
  'val_datagrp',
  'test_datagrp',
  'selection',
  'tb_logs',
] as const;

/** A RunConfig's shape, then its values (validateRunConfig); every problem is listed in `fields`. */
export function runConfig(raw: unknown, path = 'config'): RunConfig {
  const o = object(raw, path, ['dataset', 'alphanet', 'training']);
  const a = object(o.alphanet, `${path}.alphanet`, ['hdims', 'hact']);
  const t = object(o.training, `${path}.training`, TRAINING_KEYS);
  const p = `${path}.training`;
  const config: RunConfig = {
    dataset: string(o.dataset, `${path}.dataset`),
    alphanet: {
      hdims: array(a.hdims, `${path}.alphanet.hdims`, number),
      hact: oneOf(a.hact, `${path}.alphanet.hact`, ACTIVATIONS),
    },
    training: {
      n_neighbors: number(t.n_neighbors, `${p}.n_neighbors`),
      nn_dist: oneOf(t.nn_dist, `${p}.nn_dist`, NN_DISTS),
      optim_cls: oneOf(t.optim_cls, `${p}.optim_cls`, OPTIMIZERS),
      optim_params: keyValues(t.optim_params, `${p}.optim_params`),
      lr_sched_cls: nullable(t.lr_sched_cls, `${p}.lr_sched_cls`, (v, q) => oneOf(v, q, LR_SCHEDULERS)),
      lr_sched_params: keyValues(t.lr_sched_params, `${p}.lr_sched_params`),
      train_epochs: number(t.train_epochs, `${p}.train_epochs`),
      min_epochs: number(t.min_epochs, `${p}.min_epochs`),
      train_batch_size: number(t.train_batch_size, `${p}.train_batch_size`),
      eval_batch_size: number(t.eval_batch_size, `${p}.eval_batch_size`),
      sampler_classes: array(t.sampler_classes, `${p}.sampler_classes`, string),
      sampler_args: array(t.sampler_args, `${p}.sampler_args`, keyValues),
      pred_scale: number(t.pred_scale, `${p}.pred_scale`),
      train_datagrp: string(t.train_datagrp, `${p}.train_datagrp`),
      val_datagrp: nullable(t.val_datagrp, `${p}.val_datagrp`, string),
      test_datagrp: string(t.test_datagrp, `${p}.test_datagrp`),
      selection: oneOf(t.selection, `${p}.selection`, SELECTION_RULES),
      tb_logs: nullable(t.tb_logs, `${p}.tb_logs`, string),
    },
  };
  rejectBadValues(config, path);
  return config;
}

function rejectBadValues(config: RunConfig, path: string): void {
  const errors = validateRunConfig(config).map((e) => ({ path: `${path}.${e.path}`, message: e.message }));
  if (errors.length > 0) {
    throw new ApiValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
}

function seed(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0 || raw > 0xffffffff) {
    fail(path, 'must be a whole number in [0, 2³²)');
  }
  return raw;
}

/** A sweepable parameter's config path (the same keys the CLI takes are accepted). */
function sweepParam(raw: unknown, path: string, config: RunConfig): string {
  try {
    return resolveParamKey(nonEmpty(raw, path), config);
  } catch (error) {
    if (error instanceof ApiValidationError) throw error;
    fail(path, (error as Error).message);
  }
}

/** A sweep's shape and values, then the whole sweep against validateRunConfig (the dataset's checks follow in the handler). */
function sweepSpec(raw: unknown, config: RunConfig): SweepSpec {
  const o = object(raw, 'sweep', ['grid', 'random']);
  const grid = array(o.grid, 'sweep.grid', (a, p) => {
    const axis = object(a, p, ['param', 'values']);
    const param = sweepParam(axis.param, `${p}.param`, config);
    const values = array(axis.values, `${p}.values`, (v, q) => {
      try {
        return coerceSweepValue(paramInfo(param, config), v);
      } catch (error) {
        fail(q, (error as Error).message);
      }
    });
    return { param, values };
  });
  const spec: SweepSpec = { grid };
  if (o.random !== undefined) {
    const r = object(o.random, 'sweep.random', ['n', 'seed', 'ranges']);
    const ranges = array(r.ranges, 'sweep.random.ranges', (x, p): RandomRange => {
      const range = object(x, p, ['param', 'min', 'max', 'log', 'choices']);
      const param = sweepParam(range.param, `${p}.param`, config);
      if (range.choices !== undefined)
        return {
          param,
          choices: array(range.choices, `${p}.choices`, (v, q) => {
            try {
              return coerceSweepValue(paramInfo(param, config), v);
            } catch (error) {
              fail(q, (error as Error).message);
            }
          }),
        };
      const out: RandomRange = { param, min: number(range.min, `${p}.min`), max: number(range.max, `${p}.max`) };
      if (range.log !== undefined) {
        if (typeof range.log !== 'boolean') fail(`${p}.log`, 'must be true or false');
        out.log = range.log;
      }
      return out;
    });
    spec.random = { n: number(r.n, 'sweep.random.n'), seed: number(r.seed, 'sweep.random.seed'), ranges };
  }
  const errors = validateSweep(config, spec);
  if (errors.length > 0) throw new ApiValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  return spec;
}

function launch(raw: unknown): LaunchRequest {
  const o = object(raw, 'params', ['experiment', 'config', 'seeds', 'repetitions', 'sweep']);
  const experiment = nonEmpty(o.experiment, 'experiment').trim();
  const config = runConfig(o.config);
  if ((o.seeds === undefined) === (o.repetitions === undefined))
    fail('repetitions', 'give either seeds or repetitions');
  const request: LaunchRequest = { experiment, config };
  let perSetting: number;
  if (o.seeds !== undefined) {
    request.seeds = array(o.seeds, 'seeds', seed);
    if (request.seeds.length === 0) fail('seeds', 'give at least one seed');
    if (new Set(request.seeds).size !== request.seeds.length) fail('seeds', 'seeds repeat');
    perSetting = request.seeds.length;
  } else {
    const n = o.repetitions;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) fail('repetitions', 'must be a whole number ≥ 1');
    request.repetitions = n;
    perSetting = n;
  }
  if (o.sweep !== undefined) {
    request.sweep = sweepSpec(o.sweep, config);
    perSetting *= sweepSize(request.sweep);
  }
  if (perSetting > MAX_RUNS_PER_LAUNCH)
    fail('repetitions', `queues ${perSetting} runs; at most ${MAX_RUNS_PER_LAUNCH} at once`);
  return request;
}

function addDataset(raw: unknown): AddDatasetRequest {
  const o = object(raw, 'params', ['configFile', 'folder', 'bundled']);
  const given = Object.keys(o).filter((k) => o[k] !== undefined);
  if (given.length !== 1) fail('configFile', 'give one of configFile (a datasets.toml), folder or bundled');
  if (o.configFile !== undefined) return { configFile: nonEmpty(o.configFile, 'configFile') };
  if (o.folder !== undefined) return { folder: nonEmpty(o.folder, 'folder') };
  return { bundled: oneOf(o.bundled, 'bundled', ['demo'] as const) };
}

function tags(raw: unknown, path: string): string[] {
  const list = array(raw, path, string);
  try {
    return normalizeTags(list);
  } catch (error) {
    if (error instanceof AnnotationError) fail(path, error.message);
    throw error;
  }
}

function runFilter(raw: unknown): RunFilter {
  const o = object(raw ?? {}, 'params', ['dataset', 'experiment', 'status', 'tag']);
  const filter: RunFilter = {};
  if (o.dataset !== undefined) filter.dataset = string(o.dataset, 'dataset');
  if (o.experiment !== undefined) filter.experiment = string(o.experiment, 'experiment');
  if (o.status !== undefined) filter.status = oneOf(o.status, 'status', RUN_STATUSES);
  if (o.tag !== undefined) filter.tag = tags(o.tag, 'tag');
  return filter;
}

/** The most runs one bulk action (tag, delete, re-run) takes. */
export const MAX_BULK_RUNS = 1000;

/** Run ids of a bulk action: at least one, each once. */
function runIds(raw: unknown, path: string): number[] {
  const ids = [...new Set(array(raw, path, id))];
  if (ids.length === 0) fail(path, 'give at least one run id');
  if (ids.length > MAX_BULK_RUNS) fail(path, `at most ${MAX_BULK_RUNS} runs at once`);
  return ids;
}

function tagChange(raw: unknown): ApiParams<'tagRuns'> {
  const o = object(raw, 'params', ['ids', 'add', 'remove']);
  const change: ApiParams<'tagRuns'> = { ids: runIds(o.ids, 'ids') };
  if (o.add !== undefined) change.add = tags(o.add, 'add');
  if (o.remove !== undefined) change.remove = tags(o.remove, 'remove');
  if (!change.add?.length && !change.remove?.length) fail('add', 'give tags to add or to remove');
  return change;
}

function runNotes(raw: unknown): ApiParams<'setRunNotes'> {
  const o = object(raw, 'params', ['id', 'notes']);
  const runId = id(o.id, 'id');
  try {
    return { id: runId, notes: normalizeNotes(string(o.notes, 'notes')) };
  } catch (error) {
    if (error instanceof AnnotationError) fail('notes', error.message.replace(/^notes: /, ''));
    throw error;
  }
}

const byId = (raw: unknown) => ({ id: id(object(raw, 'params', ['id']).id, 'id') });
const byKey = (raw: unknown) => ({ key: nonEmpty(object(raw, 'params', ['key']).key, 'key') });

/** One scope's remembered settings: a few short strings (they come back in every page's link). */
export function preferenceValues(raw: unknown, path: string): Record<string, string> {
  const o = raw as Obj;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object');
  const entries = Object.entries(o);
  if (entries.length > MAX_PREFERENCE_KEYS) fail(path, `at most ${MAX_PREFERENCE_KEYS} settings`);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') fail(`${path}.${key}`, 'must be a string');
    if (key.length + value.length > MAX_PREFERENCE_CHARS)
      fail(`${path}.${key}`, `at most ${MAX_PREFERENCE_CHARS} characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The most runs one getComparisonRuns call returns (a whole store of repeated ImageNet runs fits). */
export const MAX_COMPARISON_RUNS = 10_000;

/** One validator per method; a missing entry would be a compile error. */
export const validators: { [M in ApiMethod]: (raw: unknown) => ApiParams<M> } = {
  listDatasets: (raw) => (object(raw ?? {}, 'params', []), {}),
  addDataset,
  getDatasetReport: byKey,
  computeBaseline: byKey,
  listRuns: runFilter,
  getRun: byId,
  launchExperiment: launch,
  cancelRun: byId,
  resumeRun: byId,
  rerun: byId,
  deleteRun: byId,
  getCurves: (raw) => {
    const ids = array(object(raw, 'params', ['runIds']).runIds, 'runIds', id);
    if (ids.length > 500) fail('runIds', 'at most 500 runs at once');
    return { runIds: ids };
  },
  exportSeries: (raw) => {
    const o = object(raw, 'params', ['runId', 'tag', 'format']);
    return {
      runId: id(o.runId, 'runId'),
      tag: nonEmpty(o.tag, 'tag'),
      format: oneOf(o.format, 'format', SERIES_FORMATS),
    };
  },
  listComparisonGroups: (raw) => {
    const o = object(raw ?? {}, 'params', ['dataset']);
    return o.dataset === undefined ? {} : { dataset: nonEmpty(o.dataset, 'dataset') };
  },
  getComparisonRuns: (raw) => {
    const ids = array(object(raw, 'params', ['runIds']).runIds, 'runIds', id);
    if (ids.length > MAX_COMPARISON_RUNS) fail('runIds', `at most ${MAX_COMPARISON_RUNS} runs at once`);
    return { runIds: ids };
  },
  listInspectable: (raw) => (object(raw ?? {}, 'params', []), {}),
  getQueueInfo: (raw) => (object(raw ?? {}, 'params', []), {}),
  removeDataset: byKey,
  getPreferences: (raw) => (object(raw ?? {}, 'params', []), {}),
  setPreferences: (raw) => {
    const o = object(raw, 'params', ['scope', 'values']);
    return { scope: oneOf(o.scope, 'scope', PREFERENCE_SCOPES), values: preferenceValues(o.values, 'values') };
  },
  setQueueSetting: (raw) => {
    const value = object(raw, 'params', ['redis']).redis;
    if (value === null || (typeof value === 'string' && value.trim() === '')) return { redis: null };
    const url = nonEmpty(value, 'redis');
    try {
      return { redis: checkRedisUrl(url) };
    } catch (error) {
      return fail('redis', (error as Error).message);
    }
  },
  getInspector: (raw) => {
    const o = object(raw, 'params', ['dataset', 'experiment', 'configHash']);
    const request: ApiParams<'getInspector'> = {
      dataset: nonEmpty(o.dataset, 'dataset'),
      experiment: nonEmpty(o.experiment, 'experiment'),
    };
    if (o.configHash !== undefined) request.configHash = nonEmpty(o.configHash, 'configHash');
    return request;
  },
  setRunNotes: runNotes,
  tagRuns: tagChange,
  deleteRuns: (raw) => ({ ids: runIds(object(raw, 'params', ['ids']).ids, 'ids') }),
  rerunRuns: (raw) => ({ ids: runIds(object(raw, 'params', ['ids']).ids, 'ids') }),
};
