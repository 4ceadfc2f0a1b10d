import path from 'node:path';
import { findDataset } from '../../data/config.ts';
import { loadDataset } from '../../data/dataset.ts';
import { datasetConfigOf, recordedTrainRun } from '../../runs/record-run.ts';
import { epochLine } from '../../runs/run-log.ts';
import { getString } from '../args.ts';
import type { Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, progressLine, splitTable } from '../engine-cli.ts';
import { DB_FLAG, openStoreArg, parseRunId } from '../store-cli.ts';

export const command: Command = {
  spec: {
    name: 'resume',
    summary:
      'Continue an interrupted (or cancelled) run from its newest checkpoint, in this process, recording into the same run. ' +
      'With the same seed it ends exactly as an uninterrupted run would.',
    usage: 'alphanet resume ID [--db FILE] [--config datasets.toml] [--backend NAME]',
    positionals: ['ID'],
    flags: [
      DB_FLAG,
      {
        name: 'config',
        kind: 'string',
        help: "the datasets.toml defining the run's dataset (default: the one it was started with)",
      },
      BACKEND_FLAG,
    ],
  },
  async run(args, io) {
    const runId = parseRunId(args.positionals[0]);
    const { db, store } = openStoreArg(args, io);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const run = store.claim(runId);
      if (run.kind !== 'train') {
        store.markInterrupted(runId, 'a baseline has nothing to resume; run `alphanet baseline` again');
        io.err(`alphanet resume: run ${runId} is a baseline; nothing to resume`);
        return 1;
      }
      const configFlag = getString(args, 'config');
      const configFile =
        configFlag === undefined ? (datasetConfigOf(run) ?? undefined) : path.resolve(io.cwd, configFlag);
      let ds;
      try {
        const { spec, warnings } = findDataset(run.dataset, configFile, io.cwd);
        for (const w of warnings) io.err(`warning: ${w}`);
        ds = await loadDataset(spec);
      } catch (error) {
        // Not started: leave it resumable.
        store.markInterrupted(runId, `resume failed: ${(error as Error).message}`);
        throw error;
      }
      const epochs = run.config.training.train_epochs;
      io.out(`resuming run ${runId} (${run.experiment}, seed ${run.seed}) at epoch ${run.epochsDone + 1}/${epochs}`);
      const { result } = await recordedTrainRun(store, ds, run.config, {
        runId,
        seed: run.seed ?? 0,
        backend: backendOf(args),
        signal: controller.signal,
        onProgress: (p) => {
          if (io.isTTY)
            process.stderr.write(`\r${progressLine({ ...p, epochs, etaSeconds: p.etaSeconds ?? Number.NaN })}\x1b[K`);
        },
        onEpoch: (rec) => {
          if (io.isTTY) process.stderr.write('\r\x1b[K');
          io.out(epochLine(rec, epochs));
        },
      });
      io.out(
        `run ${runId} done; kept epoch ${result.best_epoch}\n\nTest accuracy (%) on '${run.config.training.test_datagrp}':`,
      );
      io.out(splitTable([{ name: 'AlphaNet', metrics: result.test }]));
      return 0;
    } catch (error) {
      if (controller.signal.aborted) {
        io.err(`alphanet resume: run ${runId} cancelled; its checkpoints are kept (alphanet resume ${runId})`);
        return 1;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
      db.close();
    }
  },
};
