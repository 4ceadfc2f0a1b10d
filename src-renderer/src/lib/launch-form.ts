/**
 * The launch form's model: every field as the text the user typed, turned into a LaunchRequest with
 * each problem attached to the field that caused it (the same checks main runs again on arrival).
 */
import type { LaunchRequest } from '../../../src-shared/api.ts';
import type { KeyValues, LrSchedulerName, RunConfig } from '../../../src-shared/config.ts';
import { validateRunConfig, withParam, type FieldError } from '../../../src-shared/run-config-validation.ts';

export interface SamplerRow {
  cls: string;
  args: string;
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
  /** '' = no sweep. */
  sweepParam: string;
  sweepValues: string;
}

/** Form field → message, for showing beside each input. */
export type FormErrors = Record<string, string>;

export function formatKeyValues(values: KeyValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** `lr=0.001 weight_decay=0.01 betas=0.9,0.999` (spaces separate pairs, as on the CLI). */
export function parseKeyValues(text: string): { values: KeyValues; error: string | null } {
  const values: KeyValues = {};
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq <= 0) return { values, error: `'${word}' is not key=value` };
    values[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return { values, error: null };
}

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
    optim_params: formatKeyValues(t.optim_params),
    lr_sched_cls: t.lr_sched_cls ?? '',
    lr_sched_params: formatKeyValues(t.lr_sched_params),
    train_epochs: String(t.train_epochs),
    min_epochs: String(t.min_epochs),
    train_batch_size: String(t.train_batch_size),
    eval_batch_size: String(t.eval_batch_size),
    samplers: t.sampler_classes.map((cls, i) => ({ cls, args: formatKeyValues(args(i)) })),
    pred_scale: String(t.pred_scale),
    train_datagrp: t.train_datagrp,
    val_datagrp: t.val_datagrp ?? '',
    test_datagrp: t.test_datagrp,
    selection: t.selection,
    seedMode: 'repetitions',
    repetitions: '1',
    seeds: '',
    sweepParam: '',
    sweepValues: '',
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
  if (name === 'sampler_args' || name === 'sampler_classes') return index === undefined ? 'samplers' : `samplers.${index}`;
  return name ?? section;
}

function cast<T extends string>(value: string): T {
  // Enumerated fields come from <select>s over the allowed values; validateRunConfig re-checks them.
  return value as T;
}

export function configFromForm(form: LaunchForm, errors: FormErrors): RunConfig {
  const kv = (field: 'optim_params' | 'lr_sched_params', text: string) => {
    const parsed = parseKeyValues(text);
    if (parsed.error) errors[field] = parsed.error;
    return parsed.values;
  };
  const samplerArgs = form.samplers.map((row, i) => {
    const parsed = parseKeyValues(row.args);
    if (parsed.error) errors[`samplers.${i}`] = parsed.error;
    return parsed.values;
  });
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
    else if (seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff)) errors.seeds = 'seeds are whole numbers in [0, 2³²)';
    else if (new Set(seeds).size !== seeds.length) errors.seeds = 'seeds repeat';
    request.seeds = seeds;
  }
  if (form.sweepParam !== '') {
    const values = numberList(form.sweepValues);
    if (values.length === 0) errors.sweepValues = 'give the values to sweep, e.g. 0.5, 1, 1.5';
    else if (values.some((v) => !Number.isFinite(v))) errors.sweepValues = 'every value must be a number';
    else if (Object.keys(errors).length === 0) {
      // Each swept config must hold on its own (e.g. min_epochs ≤ every swept train_epochs).
      for (const v of values) {
        let swept: RunConfig;
        try {
          swept = withParam(config, form.sweepParam, v);
        } catch (error) {
          errors.sweepParam = (error as Error).message;
          break;
        }
        const problems = validateRunConfig(swept);
        if (problems.length > 0) {
          errors.sweepValues = `${form.sweepParam} = ${v}: ${problems[0].message}`;
          break;
        }
      }
    }
    request.sweep = { param: form.sweepParam, values };
  }
  return Object.keys(errors).length > 0 ? { request: null, errors } : { request, errors };
}

/** How many runs the form would queue (for the button's label). */
export function runCount(form: LaunchForm): number {
  const perSetting = form.seedMode === 'repetitions' ? num(form.repetitions) : numberList(form.seeds).length;
  const settings = form.sweepParam === '' ? 1 : numberList(form.sweepValues).length;
  const n = perSetting * Math.max(1, settings);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
