import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { appDataDir } from '../paths.ts';
import { DiskError, UserError } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export type Db = Database.Database;

/** The database the CLI and the app share unless `--db` names another. */
export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'workbench.sqlite');
}

/**
 * better-sqlite3's compiled addon to load instead of its own build. The desktop app sets it to a copy
 * built for Electron's ABI (scripts/electron-native.mjs), so node_modules keeps the Node build that the
 * CLI and tests load.
 */
export function nativeBindingOption(env: NodeJS.ProcessEnv = process.env): Database.Options {
  const binding = env.ALPHANET_SQLITE_BINDING;
  if (!binding) return {};
  if (!fs.existsSync(binding)) {
    throw new UserError(
      `${binding}: ALPHANET_SQLITE_BINDING names no file (build it with: node scripts/electron-native.mjs)`,
    );
  }
  return { nativeBinding: binding };
}

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) a workbench database and upgrades it to the current schema in place.
 * WAL lets readers (the UI) and one writer (a run) work at once; `busy_timeout` makes concurrent
 * writers from other processes wait instead of failing.
 */
export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const options = nativeBindingOption();
  let db: Db;
  try {
    db = new Database(file, options);
  } catch (error) {
    throw (
      DiskError.of(error, path.dirname(path.resolve(file))) ??
      new UserError(`${file}: cannot open the database: ${(error as Error).message}`)
    );
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable at every checkpoint under WAL and loses at most the last commits on power loss,
    // never consistency; a killed process loses nothing.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (error) {
    db.close();
    if (error instanceof UserError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new UserError(`${file}: not a workbench database (${(error as Error).message})`);
    }
    // Migrations are transactions: a full or read-only disk leaves the database as it was.
    throw DiskError.of(error, path.dirname(path.resolve(file)), 'The database was not changed') ?? error;
  }
  return db;
}

/**
 * A private copy of a database (and its WAL) in a temporary folder, opened query-only: how a database
 * in a read-only folder is still read (SQLite's WAL mode must write its index beside the file). The
 * copy is removed when the process exits.
 */
export function openDbSnapshot(file: string): Db {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-snapshot-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const copy = path.join(dir, path.basename(file));
  fs.copyFileSync(file, copy);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new Database(copy, nativeBindingOption());
  db.pragma('query_only = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new UserError(
      `${file}: schema version ${version}, this program reads ${SCHEMA_VERSION}, and its read-only folder cannot be upgraded`,
    );
  }
  return db;
}

/** Applies the migrations the database lacks, each in its own transaction. */
export function migrate(db: Db, file = db.name): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new UserError(
      `${file}: the database has schema version ${current}, newer than this program's ${SCHEMA_VERSION}; update the workbench`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    // IMMEDIATE takes the write lock first, so two processes opening an old database upgrade it once.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now !== version) return;
      MIGRATIONS[version](db);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
