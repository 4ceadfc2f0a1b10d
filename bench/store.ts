/**
 * Store benchmark: record RUNS synthetic runs (25 epochs × 1,000 classes, with a per-class val matrix
 * every epoch, 20 batches per epoch, k = 5), grouped 100 to an experiment, through the same calls a
 * training run makes (one transaction per epoch); then read one run's curves and one experiment's
 * per-class test matrix. Goals: curves < 50 ms, the 100-run matrix < 200 ms.
 * Run: node --import tsx bench/store.ts [runs=1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../src-main/store/db.ts';
import { RunStore } from '../src-main/store/run-store.ts';
import { syntheticResult, type SyntheticShape } from '../src-main/store/test-records.ts';

const RUNS = Number(process.argv[2] ?? 1000);
const PER_EXPERIMENT = 100;
const SHAPE: SyntheticShape = { nClasses: 1000, epochs: 25, batches: 20, k: 5, valPerClass: 20, testPerClass: 50 };
const CURVES_GOAL_MS = 50;
const MATRIX_GOAL_MS = 200;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-bench-store-'));
const file = path.join(dir, 'bench.sqlite');
const db = openDb(file);
const store = new RunStore(db);

// Generating the records is not what is measured: build one template per experiment slot up front.
const templates = Array.from({ length: 10 }, (_, i) => syntheticResult('bench', i + 1, SHAPE));

let recordMs = 0;
const t0 = performance.now();
for (let i = 0; i < RUNS; i++) {
  const result = templates[i % templates.length];
  const started = performance.now();
  const id = store.createRun({
    kind: 'train',
    config: result.config,
    seed: i,
    experiment: `exp ${Math.floor(i / PER_EXPERIMENT)}`,
  });
  store.setClassTotals(id, 'val', result.val?.per_class_total ?? []);
  store.markRunning(id);
  for (const rec of result.epochs) store.recordEpoch(id, rec);
  store.finishRun(id, { result });
  recordMs += performance.now() - started;
  if ((i + 1) % 100 === 0) process.stdout.write(`\rrecorded ${i + 1}/${RUNS} runs`);
}
const totalS = (performance.now() - t0) / 1000;
db.pragma('wal_checkpoint(TRUNCATE)');
const sizeMb = fs.statSync(file).size / 2 ** 20;
const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
console.log(
  `\nrecorded ${RUNS} runs × ${SHAPE.epochs} epochs × ${SHAPE.nClasses} classes in ${totalS.toFixed(1)} s ` +
    `(${(recordMs / RUNS).toFixed(1)} ms per run, ${(recordMs / RUNS / (SHAPE.epochs + 1)).toFixed(2)} ms per transaction); ` +
    `${sizeMb.toFixed(0)} MiB; rows: scalars ${count('scalars')}, epochs ${count('epochs')}, class matrices ${count('class_results')} ` +
    `(= ${(count('class_results') * SHAPE.nClasses).toLocaleString('en')} per-class values)`,
);

// Reads, on a fresh connection as the app would open it; best of several (other processes only add time).
db.close();
const reader = new RunStore(openDb(file));
function best(fn: () => void, times = 7): number {
  let min = Infinity;
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    fn();
    min = Math.min(min, performance.now() - s);
  }
  return min;
}
const runId = Math.ceil(RUNS / 2);
let points = 0;
const curvesMs = best(() => {
  const curves = reader.getRunCurves(runId);
  points = Object.values(curves).reduce((n, c) => n + c.steps.length, 0);
});
const experiment = `exp ${Math.floor((runId - 1) / PER_EXPERIMENT)}`;
let matrixRuns = 0;
const matrixMs = best(() => {
  matrixRuns = reader.getExperimentMatrix(experiment).runs.length;
});
const exportMs = best(() => reader.exportRun(runId), 3);
const listMs = best(() => reader.listRuns(), 3);
console.log(
  `one run's curves (${points} points): ${curvesMs.toFixed(2)} ms (goal < ${CURVES_GOAL_MS} ms: ${(curvesMs / CURVES_GOAL_MS).toFixed(2)}× the goal)`,
);
console.log(
  `experiment per-class matrix (${matrixRuns} runs × ${SHAPE.nClasses} classes): ${matrixMs.toFixed(2)} ms (goal < ${MATRIX_GOAL_MS} ms: ${(matrixMs / MATRIX_GOAL_MS).toFixed(2)}× the goal)`,
);
console.log(
  `export one run (RunResult with 25 per-class val matrices): ${exportMs.toFixed(1)} ms; list all ${RUNS} runs: ${listMs.toFixed(1)} ms`,
);
reader.db.close();
fs.rmSync(dir, { recursive: true, force: true });
