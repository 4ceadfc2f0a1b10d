import type Database from 'better-sqlite3';

/**
 * The store's schema history. Entry i upgrades a database from version i to i + 1 (`PRAGMA
 * user_version`); each runs in its own transaction, so a failed upgrade leaves the older version intact.
 * Never edit a shipped entry: append a new one.
 *
 * Layout decisions:
 * - Per-class results are matrices, not scalar tags: one row per (run, datagrp, epoch) holding an Int32
 *   BLOB of correct counts, with the class sizes once per (run, datagrp) in `class_totals`. Epoch 0 is
 *   the final evaluation of the kept state (epochs are 1-based). When only accuracies are known (the
 *   original's files record no test class sizes) `accuracy` holds a Float64 BLOB instead of `correct`.
 *   1,000 classes × 25 epochs is then 25 rows of 4 kB per run instead of 25,000 rows.
 * - Scalars follow TensorBoard (tag, step, wall_time, value), keyed by (run_id, tag, step) so that an
 *   epoch recorded again after a resume replaces itself.
 * - Test predictions of the kept state: one row per run with Int32 BLOBs (n labels, n × 5 top-5 classes).
 */
export const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  // v1: the base schema.
  (db) =>
    db.exec(`
      CREATE TABLE datasets (
        key TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        source_paths TEXT NOT NULL,
        fingerprint TEXT,
        report TEXT,
        splits TEXT,
        label_names TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        dataset TEXT NOT NULL,
        experiment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('train', 'baseline')),
        config TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        seed INTEGER,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        backend TEXT,
        app_version TEXT,
        error TEXT,
        selection TEXT,
        best_epoch INTEGER,
        tb_logs INTEGER NOT NULL DEFAULT 0,
        tb_dir TEXT,
        ckpt_dir TEXT,
        test_metrics TEXT,
        val_metrics TEXT,
        extra TEXT
      );
      CREATE INDEX runs_dataset ON runs (dataset);
      CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        lr REAL,
        mean_loss REAL,
        n_batches INTEGER NOT NULL,
        alpha_mean TEXT NOT NULL,
        alpha_min TEXT NOT NULL,
        alpha_max TEXT NOT NULL,
        n_train_per_split TEXT NOT NULL,
        val TEXT,
        wall_time REAL,
        selected INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, epoch)
      ) WITHOUT ROWID;
      CREATE TABLE scalars (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        step INTEGER NOT NULL,
        wall_time REAL NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, tag, step)
      ) WITHOUT ROWID;
      CREATE TABLE class_totals (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        datagrp TEXT NOT NULL,
        totals BLOB NOT NULL,
        PRIMARY KEY (run_id, datagrp)
      ) WITHOUT ROWID;
      CREATE TABLE class_results (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        datagrp TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        n_classes INTEGER NOT NULL,
        correct BLOB,
        accuracy BLOB,
        PRIMARY KEY (run_id, datagrp, epoch),
        CHECK ((correct IS NULL) <> (accuracy IS NULL))
      ) WITHOUT ROWID;
      CREATE TABLE alphas (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        class INTEGER NOT NULL,
        neighbors TEXT NOT NULL,
        alpha TEXT NOT NULL,
        PRIMARY KEY (run_id, class)
      ) WITHOUT ROWID;
    `),
  // v2: crash-safe ownership (which process runs a run, and when it last showed life), experiment
  // lookups, and the kept state's test predictions.
  (db) =>
    db.exec(`
      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
      CREATE INDEX runs_experiment ON runs (experiment);
      CREATE INDEX runs_status ON runs (status);
      CREATE TABLE predictions (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        datagrp TEXT NOT NULL,
        n INTEGER NOT NULL,
        labels BLOB NOT NULL,
        top5 BLOB NOT NULL
      );
    `),
  // v3: every datagrp's final metrics (a baseline evaluates all of them), and the kept network so a
  // recorded run can be evaluated again (its parameters as one Float32 BLOB, layer after layer).
  (db) =>
    db.exec(`
      ALTER TABLE runs ADD COLUMN evals TEXT;
      CREATE TABLE networks (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        meta TEXT NOT NULL,
        param_sizes TEXT NOT NULL,
        params BLOB NOT NULL
      );
    `),
  // v4: distributed runs: the BullMQ job that carries a run to the workers, and the worker running it.
  (db) =>
    db.exec(`
      ALTER TABLE runs ADD COLUMN job_id TEXT;
      ALTER TABLE runs ADD COLUMN worker TEXT;
    `),
  // v5: what a person writes about a run: free notes, and tags (one row per tag, looked up by tag).
  (db) =>
    db.exec(`
      ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
      CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX run_tags_tag ON run_tags (tag);
    `),
  // v6: what a run printed as it went (a line a row, numbered per run, the oldest dropped past a bound),
  // and the fingerprint of the dataset it trained on (the dataset's own row holds only its latest).
  (db) =>
    db.exec(`
      ALTER TABLE runs ADD COLUMN trained_fingerprint TEXT;
      CREATE TABLE run_log (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
        text TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;
