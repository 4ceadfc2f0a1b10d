import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.ts';
import type { CliIO } from '../../src-main/cli/command.ts';
import { loadDataset, resolveDataset } from '../../src-main/data/dataset.ts';
import { openDb } from '../../src-main/store/db.ts';
import { openStore } from '../../src-main/store/open.ts';
import { recordedTrainRun } from '../../src-main/runs/record-run.ts';
import { RunStore } from '../../src-main/store/run-store.ts';
import type { RunResult } from '../../src-shared/result.ts';
import { crashConfig, TINYLT_TOML } from './crash-config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = 11;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What must not depend on whether the run was interrupted (wall times do). */
function outcome(r: RunResult) {
  return {
    best_epoch: r.best_epoch,
    test: r.test,
    val: r.val,
    alphas: r.alphas,
    network: r.network,
    epochs: r.epochs.map((e) => ({ ...e, wall_time: 0 })),
  };
}

function quietIO(): CliIO & { text: string } {
  const io = {
    text: '',
    isTTY: false,
    cwd: ROOT,
    out: (t: string) => (io.text += `${t}\n`),
    err: (t: string) => (io.text += `${t}\n`),
  };
  return io;
}

describe('a run killed with SIGKILL mid-training', () => {
  it(
    'leaves an intact database with whole epochs, becomes interrupted, and resumes to the uninterrupted result after two other databases in its folder ran',
    { timeout: 240_000 },
    async () => {
      const file = path.join(dir, 'crash.sqlite');
      const env = { ...process.env, ALPHANET_DATA_DIR: path.join(dir, 'app') };
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/train-child.ts', file, String(SEED)], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );

      // Kill it once at least two epochs are recorded.
      const deadline = Date.now() + 45_000;
      let runId = 0;
      for (;;) {
        const match = /run (\d+)/.exec(out);
        if (match && fs.existsSync(file)) {
          runId = Number(match[1]);
          const probe = openDb(file);
          const done = (probe.prepare('SELECT COUNT(*) AS n FROM epochs WHERE run_id = ?').get(runId) as { n: number })
            .n;
          probe.close();
          if (done >= 2) break;
        }
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`the child never reached epoch 2:\n${out}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const { db, store, interrupted } = openStore(file);
      let epochsAtKill: number;
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(interrupted).toEqual([runId]);
        const run = store.requireRun(runId);
        expect(run.status).toBe('interrupted');
        epochsAtKill = run.epochsDone;
        expect(epochsAtKill).toBeGreaterThanOrEqual(2);
        expect(epochsAtKill).toBeLessThan(crashConfig().training.train_epochs);
        // Whole epochs only: 1..n without gaps, each with its scalars and val matrix.
        const epochs = db.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as {
          epoch: number;
        }[];
        expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epochsAtKill }, (_, i) => i + 1));
        expect(store.getRunCurves(runId)['epoch_loss'].steps).toEqual(epochs.map((e) => e.epoch));
        const valRows = db
          .prepare("SELECT COUNT(*) AS n FROM class_results WHERE run_id = ? AND datagrp = 'val'")
          .get(runId);
        expect(valRows).toEqual({ n: epochsAtKill });
      } finally {
        db.close();
      }

      // Two more databases in the same folder, whose run ids are 1 too: the same seed without
      // interruption (the reference), and another seed. Neither may resume from the killed run's
      // checkpoints or delete them.
      const refDb = openDb(path.join(dir, 'reference.sqlite'));
      const otherDb = openDb(path.join(dir, 'other.sqlite'));
      try {
        const refStore = new RunStore(refDb);
        const ds = await loadDataset(resolveDataset('tinylt_synth', TINYLT_TOML), { cacheDir: null });
        const firstEpochs: number[] = [];
        const ref = await recordedTrainRun(refStore, ds, crashConfig(), {
          seed: SEED,
          backend: 'cpu',
          onEpoch: (rec) => void (firstEpochs.length === 0 && firstEpochs.push(rec.epoch)),
        });
        expect(ref.runId).toBe(runId);
        expect(firstEpochs).toEqual([1]);
        const short = crashConfig();
        short.training.train_epochs = 10;
        await recordedTrainRun(new RunStore(otherDb), ds, short, { seed: SEED + 1, backend: 'cpu' });

        // Resume it with the CLI, in this process.
        const io = quietIO();
        const savedDataDir = process.env.ALPHANET_DATA_DIR;
        process.env.ALPHANET_DATA_DIR = env.ALPHANET_DATA_DIR;
        try {
          const code = await main(['resume', String(runId), '--db', file, '--backend', 'cpu'], io);
          expect(code, io.text).toBe(0);
          expect(io.text).toContain(`resuming run ${runId}`);
          // From its own checkpoint: the first epoch trained again is past 1.
          expect(io.text).not.toMatch(/^epoch 1\//m);
        } finally {
          if (savedDataDir === undefined) delete process.env.ALPHANET_DATA_DIR;
          else process.env.ALPHANET_DATA_DIR = savedDataDir;
        }

        const resumedDb = openDb(file);
        try {
          const resumed = new RunStore(resumedDb);
          const run = resumed.requireRun(runId);
          expect(run.status).toBe('done');
          expect(run.epochsDone).toBe(crashConfig().training.train_epochs);
          expect(outcome(resumed.exportRun(runId))).toEqual(outcome(refStore.exportRun(ref.runId)));
          expect(resumed.getPredictions(runId)).toEqual(refStore.getPredictions(ref.runId));
        } finally {
          resumedDb.close();
        }
      } finally {
        refDb.close();
        otherDb.close();
      }
    },
  );
});
