/**
 * A second process writing to a workbench database (spawned by concurrent-writers.test.ts):
 * `node --import tsx writer-child.ts DB RUNS SEED` records RUNS complete runs and prints `ok RUNS`.
 */
import { openDb } from '../../src-main/store/db.ts';
import { RunStore } from '../../src-main/store/run-store.ts';
import { SMALL_SHAPE, syntheticResult } from '../../src-main/store/test-records.ts';

const [file, runsText, seedText] = process.argv.slice(2);
const db = openDb(file);
const store = new RunStore(db);
const runs = Number(runsText);
for (let i = 0; i < runs; i++) {
  const seed = Number(seedText) * 10_000 + i;
  const result = syntheticResult('tiny', seed, SMALL_SHAPE);
  const id = store.createRun({ kind: 'train', config: result.config, seed, experiment: `writer ${seedText}` });
  store.markRunning(id);
  for (const rec of result.epochs) store.recordEpoch(id, rec);
  store.finishRun(id, { result });
}
db.close();
process.stdout.write(`ok ${runs}\n`);
