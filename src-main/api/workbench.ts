/**
 * One workbench session: the database, the run queue and the API over them, shared by `alphanet
 * serve` and the Electron main process.
 */
import type { Api } from '../../src-shared/api.ts';
import type { BackendName } from '../engine/backend.ts';
import { RunQueue } from '../queue/queue.ts';
import { EventHub } from './dispatch.ts';
import { createHandlers } from './handlers.ts';

export interface WorkbenchOptions {
  dbFile: string;
  cwd?: string;
  concurrency?: number;
  backend?: BackendName;
  /** Served mode: the folder every output path the API writes must lie under (see HandlerContext). */
  outputRoot?: string;
}

export interface Workbench {
  api: Api;
  events: EventHub;
  queue: RunQueue;
  /** Stops the running runs (they become `interrupted`, resumable from their last checkpoint) and closes the database. */
  close(): Promise<void>;
}

export function openWorkbench(options: WorkbenchOptions): Workbench {
  const cwd = options.cwd ?? process.cwd();
  const queue = new RunQueue({ dbFile: options.dbFile, cwd, concurrency: options.concurrency, backend: options.backend });
  const events = new EventHub();
  const api = createHandlers({ queue, events, cwd, outputRoot: options.outputRoot });
  queue.start();
  return { api, events, queue, close: () => queue.close() };
}
