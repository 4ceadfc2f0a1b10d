/** Runs: listing, details, launching experiments and sweeps, cancelling, resuming, re-running, deleting. */
import type { Api } from '../../../src-shared/api.ts';
import type { RunRow } from '../../store/run-store.ts';
import { expandSweep, validateSweep } from '../../../src-shared/sweep.ts';
import { UserError } from '../../errors.ts';
import { datasetConfigOf } from '../../runs/record-run.ts';
import { ApiValidationError } from '../validate.ts';
import type { Handlers } from './context.ts';
import { runDetail } from './rows.ts';

export function runHandlers(
  h: Handlers,
): Pick<
  Api,
  | 'listRuns'
  | 'getRun'
  | 'launchExperiment'
  | 'cancelRun'
  | 'resumeRun'
  | 'rerun'
  | 'deleteRun'
  | 'setRunNotes'
  | 'tagRuns'
  | 'deleteRuns'
  | 'rerunRuns'
> {
  const { store, queue, events } = h;

  /** A run that may be deleted: never a running one (cancel it first). */
  function deletable(id: number): RunRow {
    const run = h.requireRun(id);
    if (run.status === 'running') throw new UserError(`run ${id} is running; cancel it before deleting it`);
    return run;
  }

  function deleteChecked(run: RunRow): void {
    if (run.status === 'queued') queue.cancel(run.id);
    store.deleteRun(run.id);
  }

  /** Queues a new run with a run's config, experiment and seed. */
  function rerunOf(run: RunRow): number {
    const configFile = datasetConfigOf(run);
    return queue.enqueue({
      kind: run.kind,
      config: run.config,
      seed: run.seed ?? 0,
      experiment: run.experiment,
      datasetConfig: configFile ?? undefined,
    });
  }

  return {
    async listRuns(filter) {
      const runs = store.listRuns(filter).reverse();
      const label = h.labeller(runs);
      return runs.map((r) => h.summary(r, label));
    },

    async getRun({ id }) {
      const run = h.requireRun(id);
      const fingerprint = store.getDataset(run.dataset)?.fingerprint ?? null;
      return runDetail(run, h.summary(run), fingerprint, store.getRunLog(id));
    },

    async launchExperiment(request) {
      // Resolve the dataset and check the whole sweep against it first, so that a bad sweep queues nothing.
      const spec = h.specOf(request.config.dataset);
      const sweep = request.sweep ?? { grid: [] };
      const errors = validateSweep(request.config, sweep, h.datasetFacts(spec));
      if (errors.length > 0)
        throw new ApiValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
      const seeds = request.seeds ?? Array.from({ length: request.repetitions ?? 1 }, (_, i) => i + 1);
      const runIds = expandSweep(request.config, sweep, seeds).map((run) =>
        h.enqueue('train', run.config, run.seed, request.experiment, spec),
      );
      events.emit({ type: 'runs-changed' });
      return { runIds };
    },

    async cancelRun({ id }) {
      const run = h.requireRun(id);
      if (run.status !== 'queued' && run.status !== 'running')
        throw new UserError(`run ${id} is ${run.status}; only queued or running runs can be cancelled`);
      queue.cancel(id);
      return h.summary(h.requireRun(id));
    },

    async resumeRun({ id }) {
      h.requireRun(id);
      queue.resume(id);
      return h.summary(h.requireRun(id));
    },

    async rerun({ id }) {
      const runId = rerunOf(h.requireRun(id));
      events.emit({ type: 'runs-changed' });
      return { runIds: [runId] };
    },

    async deleteRun({ id }) {
      deleteChecked(deletable(id));
      events.emit({ type: 'runs-changed' });
      return { deleted: id };
    },

    // Notes, tags and bulk actions (the run page and the Runs view's selection).
    async setRunNotes({ id, notes }) {
      h.requireRun(id);
      store.setNotes(id, notes);
      events.emit({ type: 'runs-changed' });
      return { id, notes: h.requireRun(id).notes };
    },

    async tagRuns({ ids, add, remove }) {
      // A missing run is a 404 here, before the store's all-or-nothing change.
      for (const id of ids) h.requireRun(id);
      store.tagRuns(ids, { add, remove });
      events.emit({ type: 'runs-changed' });
      return ids.map((id) => ({ id, tags: h.requireRun(id).tags }));
    },

    async deleteRuns({ ids }) {
      // Every run is checked before any is deleted: one running run deletes none.
      const runs = ids.map(deletable);
      for (const run of runs) deleteChecked(run);
      events.emit({ type: 'runs-changed' });
      return { deleted: ids };
    },

    async rerunRuns({ ids }) {
      const runIds = ids.map((id) => h.requireRun(id)).map(rerunOf);
      events.emit({ type: 'runs-changed' });
      return { runIds };
    },
  };
}
