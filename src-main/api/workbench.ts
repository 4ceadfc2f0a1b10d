/**
 * One workbench session: the database, the run queue and the API over them, shared by `alphanet
 * serve` and the Electron main process.
 */
import type { Api } from '../../src-shared/api.ts';
import type { BackendName } from '../engine/backend.ts';
import { DistributedRunQueue } from '../distributed/coordinator.ts';
import { RunQueue, type RunQueueApi } from '../queue/queue.ts';
import { readSettings } from '../settings.ts';
import { EventHub } from './dispatch.ts';
import { datasetRegistryFile, preferencesFile } from '../paths.ts';
import { createHandlers, migrateToRegistry } from './handlers/index.ts';

export interface WorkbenchOptions {
  dbFile: string;
  cwd?: string;
  concurrency?: number;
  backend?: BackendName;
  /**
   * A Redis URL: runs train on distributed `alphanet worker`s (BullMQ) instead of this machine; null:
   * this machine; undefined: the app's setting (settings.json).
   */
  queue?: string | null;
  /** Where the distributed queue reports Redis trouble. */
  log?(line: string): void;
  /** Served mode: the folder every output path the API writes must lie under (see HandlerContext). */
  outputRoot?: string;
  /** The dataset registry (default: datasets.toml in the data folder). */
  registryFile?: string;
  /** The remembered view settings (default: preferences.json in the data folder). */
  preferencesFile?: string;
}

export interface Workbench {
  api: Api;
  events: EventHub;
  queue: RunQueueApi;
  /** Stops the running runs (they become `interrupted`, resumable from their last checkpoint) and closes the database. */
  close(): Promise<void>;
}

export function openWorkbench(options: WorkbenchOptions): Workbench {
  const cwd = options.cwd ?? process.cwd();
  const redisUrl = options.queue === undefined ? readSettings().queue : options.queue;
  const queue: RunQueueApi = redisUrl
    ? new DistributedRunQueue({ dbFile: options.dbFile, cwd, redisUrl, log: options.log })
    : new RunQueue({ dbFile: options.dbFile, cwd, concurrency: options.concurrency, backend: options.backend });
  const events = new EventHub();
  const registryFile = options.registryFile ?? datasetRegistryFile();
  try {
    for (const line of migrateToRegistry(queue.store, registryFile, cwd)) options.log?.(`note: ${line}`);
  } catch (error) {
    // A registry edited into invalid TOML must not keep the app from starting; adding a dataset says the same.
    options.log?.(`note: ${(error as Error).message}`);
  }
  const api = createHandlers({
    queue,
    events,
    cwd,
    outputRoot: options.outputRoot,
    registryFile,
    preferencesFile: options.preferencesFile ?? preferencesFile(),
  });
  queue.start();
  return { api, events, queue, close: () => queue.close() };
}
