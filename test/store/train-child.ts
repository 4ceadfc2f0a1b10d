/**
 * A recorded training run in its own process, to be killed mid-run by crash-resume.test.ts:
 * `node --import tsx train-child.ts DB SEED` trains tinylt with crashConfig() into DB.
 */
import path from 'node:path';
import { loadDataset, resolveDataset } from '../../src-main/data/dataset.ts';
import { openDb } from '../../src-main/store/db.ts';
import { recordedTrainRun } from '../../src-main/runs/record-run.ts';
import { RunStore } from '../../src-main/store/run-store.ts';
import { crashConfig, TINYLT_TOML } from './crash-config.ts';

const [file, seedText] = process.argv.slice(2);
const db = openDb(path.resolve(file));
const store = new RunStore(db);
const ds = await loadDataset(resolveDataset('tinylt_synth', TINYLT_TOML), { cacheDir: null });
await recordedTrainRun(store, ds, crashConfig(), {
  seed: Number(seedText),
  backend: 'cpu',
  onStart: (runId) => process.stdout.write(`run ${runId}\n`),
});
db.close();
