/**
 * A test's worker thread (sweep-threads.test.ts): takes a sweep thread's input as a sweep thread does
 * (datasetOf), then writes a marker into the scores the engine would read and reports what it saw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { datagrpScores } from '../../src-main/engine/scores.ts';
import { datasetOf, type SweepThreadInput } from '../../src-main/runs/sweep-threads.ts';

const input = workerData as SweepThreadInput & { datagrp: string; marker: number };
const ds = datasetOf(input.shared);
const scores = await datagrpScores(ds, input.datagrp, null);
scores[0] = input.marker;
let featsError = '';
try {
  void ds.datagrps[input.datagrp].feats;
} catch (error) {
  featsError = (error as Error).message;
}
parentPort?.postMessage({ shared: scores.buffer instanceof SharedArrayBuffer, featsError });
