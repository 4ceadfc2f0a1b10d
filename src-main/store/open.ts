import path from 'node:path';
import { isDiskError } from '../errors.ts';
import { defaultDbFile, openDb, type Db } from './db.ts';
import { RunStore } from './run-store.ts';

export interface OpenedStore {
  db: Db;
  store: RunStore;
  /** Runs found `running` whose process had died, now `interrupted`. */
  interrupted: number[];
}

/**
 * The start-up routine of every program that uses a workbench database (CLI commands, the app):
 * open and upgrade it, then mark runs orphaned by a dead process `interrupted`. On a full or
 * read-only disk the marking waits for a later start (reading the runs still works).
 */
export function openStore(dbFile: string = defaultDbFile(), cwd: string = process.cwd()): OpenedStore {
  const db = openDb(path.resolve(cwd, dbFile));
  const store = new RunStore(db);
  let interrupted: number[] = [];
  try {
    interrupted = store.recoverInterrupted();
  } catch (error) {
    if (!isDiskError(error)) throw error;
  }
  return { db, store, interrupted };
}
