import fs from 'node:fs';
import path from 'node:path';
import { DiskError, isDiskError } from '../errors.ts';
import { defaultDbFile, openDb, openDbSnapshot, type Db } from './db.ts';
import { checkpointRootOf, RunStore } from './run-store.ts';

export interface OpenedStore {
  db: Db;
  store: RunStore;
  /** Runs found `running` whose process had died, now `interrupted`. */
  interrupted: number[];
  /** Set when the database's folder is read-only and a copy of it is read instead (see openStore's `readOnly`). */
  snapshotOf?: DiskError;
}

/**
 * The start-up routine of every program that uses a workbench database (CLI commands, the app):
 * open and upgrade it, then mark runs orphaned by a dead process `interrupted`. On a full or
 * read-only disk the marking waits for a later start (reading the runs still works).
 */
export function openStore(
  dbFile: string = defaultDbFile(),
  cwd: string = process.cwd(),
  opts: { readOnly?: boolean } = {},
): OpenedStore {
  const file = path.resolve(cwd, dbFile);
  let db: Db;
  try {
    db = openDb(file);
  } catch (error) {
    // A command that only reads still works on a database in a read-only folder, from a copy.
    const readOnlyFolder =
      error instanceof DiskError && /READONLY|EROFS|EACCES|EPERM|CANTOPEN/.test(error.code) && fs.existsSync(file);
    if (!opts.readOnly || !readOnlyFolder) throw error;
    const snapshot = openDbSnapshot(file);
    return { db: snapshot, store: new RunStore(snapshot, checkpointRootOf(file)), interrupted: [], snapshotOf: error };
  }
  const store = new RunStore(db);
  let interrupted: number[] = [];
  try {
    interrupted = store.recoverInterrupted();
  } catch (error) {
    if (!isDiskError(error)) throw error;
  }
  return { db, store, interrupted };
}
