// From sources, worker threads start from this plain-JS file (startWorker in src-main/workers.ts): it
// registers tsx (resolved beside this file, whatever the working directory), then loads the TypeScript
// worker, so runs work from source under node, bin/alphanet.mjs and vitest alike. The build does not
// use it: each worker is its own bundle there.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
