import { labelRuns } from '../../../src-shared/sweep.ts';
import { RUN_STATUSES, type RunStatus } from '../../../src-shared/api.ts';
import type { RunQuery } from '../../store/run-store.ts';
import { getBoolean, getString } from '../args.ts';
import type { Command } from '../command.ts';
import { DB_FLAG, formatRunsTable, openStoreArg, tagsArg } from '../store-cli.ts';

export const command: Command = {
  spec: {
    name: 'runs',
    summary:
      "List the recorded runs: dataset, experiment, config (a sweep's values, e.g. k=5, ρ=0.5), status, seed, epochs done, kept epoch and test accuracy per split (%).",
    usage: 'alphanet runs [--dataset KEY] [--experiment NAME] [--status STATUS] [--tag TAG ...] [--json] [--db FILE]',
    flags: [
      DB_FLAG,
      { name: 'dataset', kind: 'string', help: 'only runs on this dataset' },
      { name: 'experiment', kind: 'string', help: 'only runs of this experiment' },
      { name: 'status', kind: 'string', help: 'only runs with this status', choices: RUN_STATUSES },
      { name: 'tag', kind: 'list', repeatable: true, help: 'only runs carrying this tag (several: every one of them)' },
      { name: 'json', kind: 'boolean', help: 'print JSON (fractions, not %)' },
    ],
  },
  async run(args, io) {
    const { db, store } = openStoreArg(args, io, { readOnly: true });
    try {
      const filter: RunQuery = {
        dataset: getString(args, 'dataset'),
        experiment: getString(args, 'experiment'),
        status: getString(args, 'status') as RunStatus | undefined,
        tag: tagsArg(args, 'tag'),
      };
      const runs = store.listRuns(filter);
      // Labels come from every run of each experiment, not only the listed ones (a filter must not rename them).
      const label = labelRuns(store.listRuns({ dataset: filter.dataset, experiment: filter.experiment }));
      if (getBoolean(args, 'json')) {
        const rows = runs.map((r) => ({
          id: r.id,
          dataset: r.dataset,
          experiment: r.experiment,
          label: label(r).label,
          swept: Object.fromEntries(label(r).values.map((v) => [v.param, v.value ?? null])),
          kind: r.kind,
          status: r.status,
          seed: r.seed,
          epochs_done: r.epochsDone,
          train_epochs: r.config.training.train_epochs,
          best_epoch: r.bestEpoch,
          test: r.test && { ...r.test.per_split },
          created_at: new Date(r.createdAt).toISOString(),
          error: r.error,
          tags: r.tags,
          notes: r.notes,
        }));
        io.out(JSON.stringify(rows, null, 1));
      } else {
        io.out(runs.length === 0 ? 'no runs recorded' : formatRunsTable(runs, (r) => label(r).label));
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
