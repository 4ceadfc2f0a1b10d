/**
 * Every worker thread's entry point, and the one way to start one. From the TypeScript sources (tsx,
 * vitest, the CLI's compile cache) a worker starts through worker-bootstrap.mjs, which registers
 * tsx and imports the entry's .ts file; from the build (`npm run build`: electron-vite writes each
 * entry below to out/main/NAME.js) it starts from its bundled file, with no TypeScript at run time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { appRoot, FROM_SOURCE } from './paths.ts';

/** Worker name → its source under src-main/ (electron.vite.config.ts makes each an entry of the build). */
export const WORKER_ENTRIES = {
  'queue-worker': 'queue/worker.ts',
  'score-worker': 'engine/score-worker.ts',
  'first-layer-worker': 'engine/first-layer-worker.ts',
  'validate-worker': 'api/validate-worker.ts',
  'inspector-worker': 'api/inspector-worker.ts',
  'train-thread': 'distributed/train-thread.ts',
  'sweep-thread': 'runs/sweep-thread.ts',
} as const;
export type WorkerName = keyof typeof WORKER_ENTRIES;

/** The build's stamp file (electron.vite.config.ts writes it beside the entries; bin/alphanet.mjs reads it). */
export const BUILD_STAMP = 'build.json';

let builtEntries: string | undefined;

/**
 * The folder of the build's main-process entries (out/main/ from `npm run build`, or `--outDir`): the
 * nearest folder above this module with the build's stamp, wherever the build put this module.
 */
function buildDir(): string {
  if (builtEntries !== undefined) return builtEntries;
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, BUILD_STAMP))) return (builtEntries = dir);
    if (path.dirname(dir) === dir)
      throw new Error(`no ${BUILD_STAMP} in any folder above ${import.meta.dirname}: the build is incomplete`);
  }
}

/**
 * Starts worker `name` with `workerData` (an object; from sources it also carries `entry`, the module
 * the bootstrap loads, which the worker ignores). A module URL instead of a name (a test's own worker)
 * always runs from sources.
 */
export function startWorker(name: WorkerName | URL, workerData: object): Worker {
  if (typeof name === 'string' && !FROM_SOURCE) return new Worker(path.join(buildDir(), `${name}.js`), { workerData });
  const entry =
    typeof name === 'string' ? pathToFileURL(path.join(appRoot(), 'src-main', WORKER_ENTRIES[name])).href : name.href;
  return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: { ...workerData, entry } });
}
