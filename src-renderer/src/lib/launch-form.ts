/**
 * The launch form's model: every field as the text the user typed, turned into a LaunchRequest with
 * each problem attached to the field that caused it (the same checks main runs again on arrival).
 */
import type { LaunchRequest } from '../../../src-shared/api.ts';
import {
  formatKeyValues,
  parseKeyValues,
  type KeyValues,
  type LrSchedulerName,
  type RunConfig,
} from '../../../src-shared/config.ts';
import { validateRunConfig, type FieldError } from '../../../src-shared/run-config-validation.ts';
import { paramInfo, parseSweepValues, sweepSize, validateSweep, type SweepAxis } from '../../../src-shared/sweep.ts';

export interface SamplerRow {
  cls: string;
  args: string;
}

/** One axis of the sweep grid: a parameter (a config path; '' = unused row) and its values as typed. */
export interface SweepRow {
  param: string;
  /** Comma-separated; list values space-separated (`64 64, 128`). */
  values: string;
}

export interface LaunchForm {
  dataset: string;
  experiment: string;
  hdims: string;
  hact: string;
  n_neighbors: string;
  nn_dist: string;
  optim_cls: string;
  optim_params: string;
  /** '' = no scheduler. */
  lr_sched_cls: string;
  lr_sched_params: string;
  train_epochs: string;
  min_epochs: string;
  train_batch_size: string;
  eval_batch_size: string;
  samplers: SamplerRow[];
  pred_scale: string;
  train_datagrp: string;
  /** '' = no validation set. */
  val_datagrp: string;
  test_datagrp: string;
  selection: string;
  seedMode: 'repetitions' | 'seeds';
  repetitions: string;
  seeds: string;
  /** The grid: every combination of the rows' values is a config (× the seeds); none = one config. */
  sweep: SweepRow[];
}

/** Form field → message, for showing beside each input. */
export type FormErrors = Record<string, string>;

export function formFromConfig(config: RunConfig, experiment: string): LaunchForm {
  const t = config.training;
  const args = (i: number) => t.sampler_args[t.sampler_args.length === 1 ? 0 : i] ?? {};
  return {
    dataset: config.dataset,
    experiment,
    hdims: config.alphanet.hdims.join(','),
    hact: config.alphanet.hact,
    n_neighbors: String(t.n_neighbors),
    nn_dist: t.nn_dist,
    optim_cls: t.optim_cls,
    optim_params: formatKeyValues(t.optim_params, ' '),
    lr_sched_cls: t.lr_sched_cls ?? '',
    lr_sched_params: formatKeyValues(t.lr_sched_params, ' '),
    train_epochs: String(t.train_epochs),
    min_epochs: String(t.min_epochs),
    train_batch_size: String(t.train_batch_size),
    eval_batch_size: String(t.eval_batch_size),
    samplers: t.sampler_classes.map((cls, i) => ({ cls, args: formatKeyValues(args(i), ' ') })),
    pred_scale: String(t.pred_scale),
    train_datagrp: t.train_datagrp,
    val_datagrp: t.val_datagrp ?? '',
    test_datagrp: t.test_datagrp,
    selection: t.selection,
    seedMode: 'repetitions',
    repetitions: '1',
    seeds: '',
    sweep: [],
  };
}

/** A number field; empty or malformed text becomes NaN, which validation reports. */
function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function numberList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(num);
}

/** The form field a config path belongs to (`training.sampler_args.1.r` → `samplers.1`). */
export function fieldOf(path: string): string {
  const parts = path.split('.');
  const [section, name, index] = parts;
  if (section === 'dataset') return 'dataset';
  if (name === 'sampler_args' || name === 'sampler_classes')
    return index === undefined ? 'samplers' : `samplers.${index}`;
  return name ?? section;
}

function cast<T extends string>(value: string): T {
  // Enumerated fields come from <select>s over the allowed values; validateRunConfig re-checks them.
  return value as T;
}

export function configFromForm(form: LaunchForm, errors: FormErrors): RunConfig {
  const kv = (field: string, text: string): KeyValues => {
    try {
      return parseKeyValues(text);
    } catch (error) {
      errors[field] = (error as Error).message;
      return {};
    }
  };
  const samplerArgs = form.samplers.map((row, i) => kv(`samplers.${i}`, row.args));
  return {
    dataset: form.dataset,
    alphanet: { hdims: form.hdims.trim() === '' ? [] : numberList(form.hdims), hact: cast(form.hact) },
    training: {
      n_neighbors: num(form.n_neighbors),
      nn_dist: cast(form.nn_dist),
      optim_cls: cast(form.optim_cls),
      optim_params: kv('optim_params', form.optim_params),
      lr_sched_cls: form.lr_sched_cls === '' ? null : cast<LrSchedulerName>(form.lr_sched_cls),
      lr_sched_params: form.lr_sched_cls === '' ? {} : kv('lr_sched_params', form.lr_sched_params),
      train_epochs: num(form.train_epochs),
      min_epochs: num(form.min_epochs),
      train_batch_size: num(form.train_batch_size),
      eval_batch_size: num(form.eval_batch_size),
      sampler_classes: form.samplers.map((s) => s.cls),
      sampler_args: samplerArgs,
      pred_scale: num(form.pred_scale),
      train_datagrp: form.train_datagrp.trim(),
      val_datagrp: form.val_datagrp.trim() === '' ? null : form.val_datagrp.trim(),
      test_datagrp: form.test_datagrp.trim(),
      selection: cast(form.selection),
      tb_logs: null,
    },
  };
}

/** The request the form describes, or the reasons it cannot be sent (keyed by form field). */
export function requestFromForm(form: LaunchForm): { request: LaunchRequest | null; errors: FormErrors } {
  const errors: FormErrors = {};
  const config = configFromForm(form, errors);
  const addAll = (list: FieldError[]) => {
    for (const e of list) errors[fieldOf(e.path)] ??= e.message;
  };
  addAll(validateRunConfig(config));
  if (form.experiment.trim() === '') errors.experiment = 'name the experiment';
  const request: LaunchRequest = { experiment: form.experiment.trim(), config };
  if (form.seedMode === 'repetitions') {
    const n = num(form.repetitions);
    if (!Number.isInteger(n) || n < 1 || n > 100) errors.repetitions = 'must be a whole number from 1 to 100';
    request.repetitions = n;
  } else {
    const seeds = numberList(form.seeds);
    if (seeds.length === 0) errors.seeds = 'give at least one seed';
    else if (seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff))
      errors.seeds = 'seeds are whole numbers in [0, 2³²)';
    else if (new Set(seeds).size !== seeds.length) errors.seeds = 'seeds repeat';
    request.seeds = seeds;
  }
  const grid: SweepAxis[] = [];
  form.sweep.forEach((row, i) => {
    if (row.param === '') return;
    try {
      grid.push({ param: row.param, values: parseSweepValues(paramInfo(row.param, config), row.values) });
    } catch (error) {
      errors[`sweep.${i}`] = (error as Error).message;
    }
  });
  if (grid.length > 0) {
    // The whole sweep as main checks it: each value on its own, then every combination.
    if (Object.keys(errors).length === 0)
      for (const e of validateSweep(config, { grid })) errors[formFieldOf(e.path, form)] ??= e.message;
    request.sweep = { grid };
  }
  return Object.keys(errors).length > 0 ? { request: null, errors } : { request, errors };
}

/**
 * The form field a checked path belongs to: `sweep.<param>` to that parameter's row, `sweep` (values
 * wrong together) to the sweep as a whole, config paths as fieldOf().
 */
export function formFieldOf(path: string, form: LaunchForm): string {
  if (path === 'sweep' || path.startsWith('sweep.random')) return 'sweep';
  if (path.startsWith('sweep.')) {
    const row = form.sweep.findIndex((r) => r.param === path.slice('sweep.'.length));
    return row >= 0 ? `sweep.${row}` : 'sweep';
  }
  return fieldOf(path);
}

/** How many runs the form would queue (for the button's label). */
export function runCount(form: LaunchForm): number {
  const perSetting = form.seedMode === 'repetitions' ? num(form.repetitions) : numberList(form.seeds).length;
  const grid = form.sweep
    .filter((r) => r.param !== '')
    .map((r) => ({ param: r.param, values: r.values.split(',').filter((v) => v.trim() !== '') }));
  const n = perSetting * sweepSize({ grid });
  return Number.isFinite(n) && n > 0 ? n : 0;
}
