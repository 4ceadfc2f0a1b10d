/** What the run page (`#/runs/ID`) derives from a run's record: its config against the defaults, its timings. */
import type { RunDetail } from '../../../src-shared/api.ts';
import { defaultRunConfig, type RunConfig } from '../../../src-shared/config.ts';
import { configPaths, formatSweepValue, valuesOf, variedParams } from '../../../src-shared/sweep.ts';

export interface ConfigRow {
  /** The config path (`training.n_neighbors`). */
  param: string;
  /** Its short name (`k`). */
  name: string;
  text: string;
  /** The default's text where the run's value differs from it (null: the default). */
  defaultText: string | null;
}

/** Every config value of a run, with the default beside each one that differs from it (src-shared defaults). */
export function configRows(config: RunConfig): ConfigRow[] {
  const defaults = defaultRunConfig(config.dataset);
  // What differs is what `variedParams` finds between the two configs: the rule the sweep labels use.
  const differs = new Set(variedParams([config, defaults]));
  const defaultValues = new Map([...differs].map((p) => [p, valuesOf(defaults, [p])[0]]));
  const paths = [...new Set([...configPaths(config), ...differs])];
  return valuesOf(config, paths).map((v) => ({
    param: v.param,
    name: v.name,
    text: v.text,
    defaultText: differs.has(v.param) ? formatSweepValue(defaultValues.get(v.param)?.value) : null,
  }));
}

/** Seconds from start to finish (or to now while it runs); null before it started. */
export function runSeconds(run: Pick<RunDetail, 'startedAt' | 'finishedAt'>, now: number = Date.now()): number | null {
  if (run.startedAt === null) return null;
  return ((run.finishedAt ?? now) - run.startedAt) / 1000;
}

/** `best-val` as a sentence: how the kept epoch was chosen. */
export const SELECTION_TEXT: Record<RunDetail['selection'], string> = {
  'best-val': 'best validation accuracy after the minimum epochs',
  'min-epochs': 'the minimum epoch (the original’s rule)',
};

/** Whether the dataset's files changed since the run trained on them (unknown for runs recorded before runs kept it). */
export function datasetChanged(run: Pick<RunDetail, 'trainedFingerprint' | 'datasetFingerprint'>): boolean {
  return (
    run.trainedFingerprint !== null &&
    run.datasetFingerprint !== null &&
    run.trainedFingerprint !== run.datasetFingerprint
  );
}
