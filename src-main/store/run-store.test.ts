import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { emptyReport } from '../data/validate.ts';
import {
  checkpointRootOf,
  datasetConfigFile,
  defaultExperimentName,
  RUN_LOG_LINE_CHARS,
  RUN_LOG_MAX_LINES,
  RunStore,
} from './run-store.ts';
import { SMALL_SHAPE, syntheticEpoch, syntheticResult } from './test-records.ts';
import { UserError } from '../errors.ts';

let dir: string;
let db: Db;
let store: RunStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-store-'));
  db = openDb(path.join(dir, 'w.sqlite'));
  store = new RunStore(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function recordWhole(seed: number, experiment?: string): number {
  const result = syntheticResult('tiny', seed, SMALL_SHAPE);
  const id = store.createRun({ kind: 'train', config: result.config, seed, experiment });
  store.setClassTotals(id, 'val', result.val?.per_class_total ?? []);
  store.markRunning(id);
  for (const rec of result.epochs) store.recordEpoch(id, rec);
  const labels = Int32Array.from({ length: 6 }, (_, i) => i);
  store.finishRun(id, { result, predictions: { datagrp: 'test', labels, top5: new Int32Array(30).fill(2) } });
  return id;
}

describe('RunStore', () => {
  it('opens with WAL, foreign keys, a busy timeout and the current schema version', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('exports exactly what was recorded', () => {
    const id = recordWhole(7);
    const run = store.requireRun(id);
    expect(run.status).toBe('done');
    expect(run.epochsDone).toBe(SMALL_SHAPE.epochs);
    expect(run.bestEpoch).toBe(SMALL_SHAPE.epochs);
    expect(run.ckptDir).toBe(path.join(checkpointRootOf(path.join(dir, 'w.sqlite')), String(id)));
    expect(path.relative(dir, run.ckptDir as string)).toMatch(/^checkpoints[/\\]w-[0-9a-f]{10}[/\\]\d+$/);
    expect(store.exportRun(id)).toEqual(syntheticResult('tiny', 7, SMALL_SHAPE));
    const preds = store.getPredictions(id);
    expect(Array.from(preds?.labels ?? [])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(preds?.top5.length).toBe(30);
  });

  it('records scalars under the original tag names, batch steps counting across epochs', () => {
    const id = recordWhole(3);
    const curves = store.getRunCurves(id);
    const n = SMALL_SHAPE.epochs * SMALL_SHAPE.batches;
    expect(curves.batch_loss.steps).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(curves['validation/accuracy'].steps).toEqual([1, 2, 3, 4]);
    expect(curves['alphas/mean/1'].values).toHaveLength(SMALL_SHAPE.epochs);
    expect(curves['alphas/mean/0']).toBeUndefined();
    expect(curves['test/per_split_acc/few'].values).toHaveLength(1);
    expect(Object.keys(curves)).toContain('validation/top-5 accuracy');
  });

  it('replaces an epoch recorded again (after a resume) instead of duplicating it', () => {
    const result = syntheticResult('tiny', 1, SMALL_SHAPE);
    const id = store.createRun({ kind: 'train', config: result.config, seed: 1 });
    store.recordEpoch(id, result.epochs[0]);
    store.recordEpoch(id, result.epochs[1]);
    store.recordEpoch(id, syntheticEpoch(99, 2, SMALL_SHAPE));
    expect(store.requireRun(id).epochsDone).toBe(2);
    const losses = store.getRunCurves(id).batch_loss;
    expect(losses.steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(losses.values.slice(3)).toEqual(syntheticEpoch(99, 2, SMALL_SHAPE).batch_losses);
  });

  it('lists and filters runs, and names experiments from the config', () => {
    const a = recordWhole(1, 'exp A');
    recordWhole(2, 'exp B');
    const c = recordWhole(3, 'exp A');
    store.createRun({ kind: 'baseline', config: syntheticResult('other', 1, SMALL_SHAPE).config, seed: null });
    expect(store.listRuns({ experiment: 'exp A' }).map((r) => r.id)).toEqual([a, c]);
    expect(store.listRuns({ status: ['queued'] }).map((r) => r.experiment)).toEqual(['other baseline']);
    expect(store.listRuns({ dataset: 'tiny', status: 'done' })).toHaveLength(3);
    const config = syntheticResult('tiny', 1, SMALL_SHAPE).config;
    config.training.sampler_args = [{}, { r: '0.5' }];
    expect(defaultExperimentName('train', config)).toBe('tiny r=0.5 k=3');
  });

  it('gives an experiment per-class matrix across its runs', () => {
    const ids = [recordWhole(1, 'E'), recordWhole(2, 'E')];
    const m = store.getExperimentMatrix('E');
    expect(m.runs.map((r) => r.id)).toEqual(ids);
    expect(m.nClasses).toBe(SMALL_SHAPE.nClasses);
    const expected = syntheticResult('tiny', 2, SMALL_SHAPE).test.per_class;
    expect(Array.from(m.accuracy[1])).toEqual(expected);
    expect(Array.from(m.totals[1] ?? [])).toEqual(new Array(SMALL_SHAPE.nClasses).fill(SMALL_SHAPE.testPerClass));
  });

  it('marks running runs of dead or silent owners interrupted, and only those', () => {
    const config = syntheticResult('tiny', 1, SMALL_SHAPE).config;
    const dead = store.createRun({ kind: 'train', config, seed: 1 });
    const alive = store.createRun({ kind: 'train', config, seed: 2 });
    const silent = store.createRun({ kind: 'train', config, seed: 3 });
    store.markRunning(dead, 111);
    store.markRunning(alive, 222);
    store.markRunning(silent, 222);
    db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(Date.now() - 3_600_000, silent);
    expect(store.recoverInterrupted((pid) => pid === 222)).toEqual([dead, silent]);
    expect(store.requireRun(dead).status).toBe('interrupted');
    expect(store.requireRun(alive).status).toBe('running');
    expect(store.requeue(dead).status).toBe('queued');
    expect(() => store.requeue(alive)).toThrow(UserError);
  });

  it('keeps distributed runs apart: their job and worker are recorded, and no local recovery touches them', () => {
    const config = syntheticResult('tiny', 1, SMALL_SHAPE).config;
    const local = store.createRun({ kind: 'train', config, seed: 1 });
    const remote = store.createRun({ kind: 'train', config, seed: 2 });
    store.setJob(remote, 'c0ffee-2-1');
    store.markRunningOn(remote, 'gpu-server-1', 'tensorflow-gpu');
    expect(store.listRuns({ distributed: true }).map((r) => r.id)).toEqual([remote]);
    expect(store.listRuns({ distributed: false }).map((r) => r.id)).toEqual([local]);
    const run = store.requireRun(remote);
    expect([run.status, run.worker, run.jobId, run.backend, run.ownerPid]).toEqual([
      'running',
      'gpu-server-1',
      'c0ffee-2-1',
      'tensorflow-gpu',
      null,
    ]);
    // Its owner is a worker elsewhere, not a process of this machine: never "interrupted" here.
    expect(store.recoverInterrupted(() => false, 0)).toEqual([]);
    expect(store.requireRun(remote).status).toBe('running');
  });

  it('deletes a run with everything recorded for it and its checkpoints', () => {
    const id = recordWhole(5);
    const ckpt = store.requireRun(id).ckptDir as string;
    fs.mkdirSync(ckpt, { recursive: true });
    fs.writeFileSync(path.join(ckpt, 'ckpt-1.bin'), 'x');
    store.deleteRun(id);
    expect(store.getRun(id)).toBeNull();
    for (const table of ['epochs', 'scalars', 'class_results', 'class_totals', 'alphas', 'predictions']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(fs.existsSync(ckpt)).toBe(false);
  });

  it("gives two databases in one folder their own checkpoint folders: deleting run 1 of one leaves the other's", () => {
    const otherDb = openDb(path.join(dir, 'b.sqlite'));
    try {
      const other = new RunStore(otherDb);
      const config = syntheticResult('tiny', 5, SMALL_SHAPE).config;
      // Run ids restart in every database: both are run 1.
      expect(store.createRun({ kind: 'train', config, seed: 5 })).toBe(1);
      expect(other.createRun({ kind: 'train', config, seed: 6 })).toBe(1);
      const [a, b] = [store.requireRun(1).ckptDir as string, other.requireRun(1).ckptDir as string];
      expect(a).not.toBe(b);
      for (const folder of [a, b]) fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(a, 'epoch-0282.ckpt.json'), '{}');
      other.deleteRun(1);
      expect(fs.existsSync(path.join(a, 'epoch-0282.ckpt.json'))).toBe(true);
      expect(fs.existsSync(b)).toBe(false);
    } finally {
      otherDb.close();
    }
  });

  it('keeps notes and tags per run, filters by every tag asked, and drops them with the run', () => {
    const a = recordWhole(1);
    const b = recordWhole(2);
    expect(store.requireRun(a)).toMatchObject({ notes: '', tags: [] });
    store.setNotes(a, 'lr too high?\nρ=0.5, k=3');
    store.tagRuns([a, b], { add: ['keep', 'best'] });
    store.tagRuns([b], { add: ['keep'], remove: ['best'] });
    expect(store.requireRun(a)).toMatchObject({ notes: 'lr too high?\nρ=0.5, k=3', tags: ['best', 'keep'] });
    expect(store.requireRun(b).tags).toEqual(['keep']);
    expect(store.listRuns({ tag: 'keep' }).map((r) => r.id)).toEqual([a, b]);
    expect(store.listRuns({ tag: ['keep', 'best'] }).map((r) => r.id)).toEqual([a]);
    expect(store.listRuns({ tag: 'nope' })).toEqual([]);
    // All or nothing: a missing run leaves every other untouched.
    expect(() => store.tagRuns([a, 999], { add: ['x'] })).toThrow(/no run with id 999/);
    expect(store.requireRun(a).tags).toEqual(['best', 'keep']);
    expect(() => store.tagRuns([b], { add: Array.from({ length: 40 }, (_, i) => `t${i}`) })).toThrow(
      /run \d+ would have 41 tags; at most 32/,
    );
    expect(store.requireRun(b).tags).toEqual(['keep']);
    store.deleteRun(a);
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_tags').get()).toEqual({ n: 1 });
  });

  it('keeps datasets, each write setting only the columns it gives', () => {
    const spec = {
      splitFilesDir: '/x/splits',
      featureFilesDir: '/x/feats',
      classifierFile: '/x/c.pth',
      labelNamesFile: null,
      configFile: '/x/datasets.toml',
    };
    store.saveDataset({ key: 'tiny', displayName: 'Tiny', source: { spec } });
    const report = emptyReport('tiny', 'Tiny');
    store.saveDataset({ key: 'tiny', displayName: 'Tiny', report });
    // What recording a run writes: everything it read, no report.
    const read = { fingerprint: 'abc', splits: { many: [0], medium: [1], few: [2] }, labelNames: ['a', 'b', 'c'] };
    store.saveDataset({ key: 'tiny', displayName: 'Tiny 2', source: { spec, classifierFiles: ['/x/c.pth'] }, ...read });
    const sourcePaths = {
      split_files_dir: '/x/splits',
      feature_files_dir: '/x/feats',
      classifier_files: ['/x/c.pth'],
      config_file: '/x/datasets.toml',
    };
    expect(store.listDatasets()).toEqual([{ key: 'tiny', displayName: 'Tiny 2', sourcePaths, report, ...read }]);
    expect(datasetConfigFile(store.listDatasets()[0])).toBe('/x/datasets.toml');
    // The same data again keeps the report; changed data drops it.
    store.saveDataset({ key: 'tiny', displayName: 'Tiny 2', fingerprint: 'abc' });
    expect(store.listDatasets()[0].report).toEqual(report);
    store.saveDataset({ key: 'tiny', displayName: 'Tiny 2', fingerprint: 'def' });
    expect(store.listDatasets()[0]).toMatchObject({ report: null, fingerprint: 'def', labelNames: ['a', 'b', 'c'] });
  });
});

describe("a run's log and fingerprint", () => {
  it('keeps lines in order with their level, and ends the log however the run stops', () => {
    const failed = store.createRun({ kind: 'train', config: syntheticResult('tiny', 1, SMALL_SHAPE).config, seed: 1 });
    store.appendLog(failed, 'info', 'started', 1000);
    store.appendLog(failed, 'warning', 'a checkpoint was skipped\nfrom another run\n', 2000);
    store.failRun(failed, 'out of memory');
    expect(store.getRunLog(failed)).toEqual({
      lines: [
        { at: 1000, level: 'info', text: 'started' },
        { at: 2000, level: 'warning', text: 'a checkpoint was skipped' },
        { at: 2000, level: 'warning', text: 'from another run' },
        { at: expect.any(Number) as number, level: 'error', text: 'failed: out of memory' },
      ],
      dropped: 0,
    });
    const cancelled = store.createRun({
      kind: 'train',
      config: syntheticResult('tiny', 2, SMALL_SHAPE).config,
      seed: 2,
    });
    store.cancelRun(cancelled);
    store.markInterrupted(cancelled, 'the machine slept');
    expect(store.getRunLog(cancelled).lines.map((l) => [l.level, l.text])).toEqual([
      ['info', 'cancelled'],
      ['warning', 'interrupted: the machine slept'],
    ]);
    // Deleting the run deletes its log.
    store.deleteRun(failed);
    expect(store.getRunLog(failed)).toEqual({ lines: [], dropped: 0 });
  });

  it('keeps only the newest lines, each cut to its bound, and says how many were dropped', () => {
    const id = store.createRun({ kind: 'train', config: syntheticResult('tiny', 1, SMALL_SHAPE).config, seed: 1 });
    const lines = Array.from({ length: RUN_LOG_MAX_LINES + 25 }, (_, i) => `line ${i + 1}`);
    store.appendLog(id, 'info', lines.slice(0, 1000).join('\n'));
    store.appendLog(id, 'info', lines.slice(1000).join('\n'));
    store.appendLog(id, 'error', 'x'.repeat(RUN_LOG_LINE_CHARS * 3));
    const log = store.getRunLog(id);
    expect(log.lines).toHaveLength(RUN_LOG_MAX_LINES);
    expect(log.dropped).toBe(26);
    expect(log.lines[0].text).toBe('line 27');
    const last = log.lines[log.lines.length - 1].text;
    expect(last).toHaveLength(RUN_LOG_LINE_CHARS);
    expect(last.endsWith('…')).toBe(true);
  });

  it('keeps the fingerprint of the dataset a run trained on', () => {
    const id = store.createRun({ kind: 'train', config: syntheticResult('tiny', 1, SMALL_SHAPE).config, seed: 1 });
    expect(store.requireRun(id).trainedFingerprint).toBeNull();
    store.setTrainedFingerprint(id, 'abc');
    expect(store.requireRun(id).trainedFingerprint).toBe('abc');
  });
});

describe('migrations', () => {
  /** A database file as schema `version` left it (its first `version` migrations). */
  function databaseAt(file: string, version: number): Database.Database {
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, version)) migration(old);
    old.pragma(`user_version = ${version}`);
    return old;
  }

  it('upgrades a version-1 database in place without losing rows', () => {
    const file = path.join(dir, 'old.sqlite');
    const old = databaseAt(file, 1);
    old
      .prepare(
        `INSERT INTO runs (id, dataset, experiment, kind, config, config_hash, seed, status, created_at)
      VALUES (1, 'tiny', 'E', 'train', ?, 'h', 4, 'running', 1)`,
      )
      .run(JSON.stringify(syntheticResult('tiny', 1, SMALL_SHAPE).config));
    old.prepare(`INSERT INTO scalars VALUES (1, 'batch_loss', 1, 0, 2.5)`).run();
    old.close();

    const upgraded = openDb(file);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const s = new RunStore(upgraded);
      const run = s.requireRun(1);
      expect(run.seed).toBe(4);
      expect(run.ownerPid).toBeNull();
      expect(s.getRunCurves(1).batch_loss.values).toEqual([2.5]);
      // A v1 running run has no owner: start-up recovery treats it as interrupted.
      expect(s.recoverInterrupted(() => true)).toEqual([1]);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version-4 database: its runs stay, with no notes and no tags', () => {
    const file = path.join(dir, 'v4.sqlite');
    const old = databaseAt(file, 4);
    old
      .prepare(
        `INSERT INTO runs (id, dataset, experiment, kind, config, config_hash, seed, status, created_at, worker)
      VALUES (3, 'tiny', 'E', 'train', ?, 'h', 4, 'done', 1, 'w1')`,
      )
      .run(JSON.stringify(syntheticResult('tiny', 1, SMALL_SHAPE).config));
    old.close();

    const upgraded = openDb(file);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const s = new RunStore(upgraded);
      expect(s.requireRun(3)).toMatchObject({ seed: 4, status: 'done', worker: 'w1', notes: '', tags: [] });
      s.tagRuns([3], { add: ['old'] });
      expect(s.listRuns({ tag: 'old' }).map((r) => r.id)).toEqual([3]);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version-5 database: its runs and notes stay, with an empty log and no trained fingerprint', () => {
    const file = path.join(dir, 'v5.sqlite');
    const old = databaseAt(file, 5);
    old
      .prepare(
        `INSERT INTO runs (id, dataset, experiment, kind, config, config_hash, seed, status, created_at, error, notes)
      VALUES (5, 'tiny', 'E', 'train', ?, 'h', 4, 'failed', 1, 'out of memory', 'kept')`,
      )
      .run(JSON.stringify(syntheticResult('tiny', 1, SMALL_SHAPE).config));
    old.close();

    const upgraded = openDb(file);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const s = new RunStore(upgraded);
      expect(s.requireRun(5)).toMatchObject({ status: 'failed', error: 'out of memory', notes: 'kept' });
      expect(s.requireRun(5).trainedFingerprint).toBeNull();
      expect(s.getRunLog(5)).toEqual({ lines: [], dropped: 0 });
      s.appendLog(5, 'info', 'resumed');
      expect(s.getRunLog(5).lines.map((l) => l.text)).toEqual(['resumed']);
    } finally {
      upgraded.close();
    }
  });

  it('refuses a database newer than the program', () => {
    const file = path.join(dir, 'new.sqlite');
    const future = new Database(file);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    expect(() => openDb(file)).toThrow(/newer than this program/);
  });

  it('names a file that is not a database', () => {
    const file = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openDb(file)).toThrow(UserError);
  });
});
