// Worker threads start from this plain-JS file: it registers tsx (resolved beside this file, whatever
// the working directory), then loads the TypeScript worker, so runs work from source under node,
// bin/alphanet.mjs and vitest alike.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
