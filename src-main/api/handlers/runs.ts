/** Runs: listing, details, launching experiments and sweeps, cancelling, resuming, re-running, deleting. */
import type { Api } from '../../../src-shared/api.ts';
import { expandSweep, validateSweep } from '../../../src-shared/sweep.ts';
import { UserError } from '../../errors.ts';
import { datasetConfigOf } from '../../runs/record-run.ts';
import { ApiValidationError } from '../validate.ts';
import type { Handlers } from './context.ts';
import { runDetail } from './rows.ts';

export function runHandlers(h: Handlers): Pick<Api, 'listRuns' | 'getRun' | 'launchExperiment' | 'cancelRun' | 'resumeRun' | 'rerun' | 'deleteRun'> {
  const { store, queue, events } = h;
  return {
    async listRuns(filter) {
      const runs = store.listRuns(filter).reverse();
      const label = h.labeller(runs);
      return runs.map((r) => h.summary(r, label));
    },

    async getRun({ id }) {
      const run = h.requireRun(id);
      return runDetail(run, h.summary(run));
    },

    async launchExperiment(request) {
      // Resolve the dataset and check the whole sweep against it first, so that a bad sweep queues nothing.
      const spec = h.specOf(request.config.dataset);
      const sweep = request.sweep ?? { grid: [] };
      const errors = validateSweep(request.config, sweep, h.datasetFacts(spec));
      if (errors.length > 0) throw new ApiValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
      const seeds = request.seeds ?? Array.from({ length: request.repetitions ?? 1 }, (_, i) => i + 1);
      const runIds = expandSweep(request.config, sweep, seeds).map((run) => h.enqueue('train', run.config, run.seed, request.experiment, spec));
      events.emit({ type: 'runs-changed' });
      return { runIds };
    },

    async cancelRun({ id }) {
      const run = h.requireRun(id);
      if (run.status !== 'queued' && run.status !== 'running') throw new UserError(`run ${id} is ${run.status}; only queued or running runs can be cancelled`);
      queue.cancel(id);
      return h.summary(h.requireRun(id));
    },

    async resumeRun({ id }) {
      h.requireRun(id);
      queue.resume(id);
      return h.summary(h.requireRun(id));
    },

    async rerun({ id }) {
      const run = h.requireRun(id);
      const configFile = datasetConfigOf(run);
      const runId = queue.enqueue({
        kind: run.kind,
        config: run.config,
        seed: run.seed ?? 0,
        experiment: run.experiment,
        datasetConfig: configFile ?? undefined,
      });
      events.emit({ type: 'runs-changed' });
      return { runIds: [runId] };
    },

    async deleteRun({ id }) {
      const run = h.requireRun(id);
      if (run.status === 'running') throw new UserError(`run ${id} is running; cancel it before deleting it`);
      if (run.status === 'queued') queue.cancel(id);
      store.deleteRun(id);
      events.emit({ type: 'runs-changed' });
      return { deleted: id };
    },
  };
}
