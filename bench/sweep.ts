/**
 * A sweep of 10 runs (r ∈ {0.5, 1} × 5 seeds, k = 5, the paper's settings) through the CLI, warm, with
 * `--concurrency 1` (one run at a time, its first layer on every core) and `--concurrency 2` (two runs at
 * once, one core each, sharing the loaded scores), alternated in the same bench so both see the same
 * machine; prints each sweep's wall time and the machine's load, the ratio, and whether the two
 * recorded the same test accuracies. Whole `alphanet sweep` processes: start-up, load, 10 runs,
 * recording, the results table.
 *
 * Run: `node bin/run-ts.mjs bench/sweep.ts [--data DIR] [--epochs N] [--rounds N]`. The dataset is the
 * ImageNet-LT-shaped one of bench/scale.ts (generated into bench/.data/ when missing), or the one in
 * DIR (made by scale-data.ts; only read). A first sweep of one short run fills the app caches
 * (converted features, scores, class means, the baseline) in bench/.data/sweep-app, so every timed
 * sweep is warm.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureScaleDataset, SCALE_KEY } from './scale-data.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const epochs = Number(flag('epochs') ?? 25);
const rounds = Number(flag('rounds') ?? 1);
const dataFlag = flag('data');
const toml = dataFlag
  ? path.join(path.resolve(dataFlag), 'datasets.toml')
  : (await ensureScaleDataset(path.join(ROOT, 'bench', '.data', 'imagenet-lt-shaped'), (l) => console.log(l))).toml;
if (!fs.existsSync(toml)) throw new Error(`${toml}: no such file (--data names a folder made by bench/scale-data.ts)`);
const appDir = path.join(ROOT, 'bench', '.data', 'sweep-app');
fs.rmSync(appDir, { recursive: true, force: true });
fs.mkdirSync(appDir, { recursive: true });

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** One `alphanet sweep` process; its wall time and its `[i/n] …` lines (less their timings), sorted. */
function sweep(label: string, extra: string[]): { wall: number; runs: string[] } {
  const loadBefore = load();
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'alphanet.mjs'),
      'sweep',
      '--config',
      toml,
      '--dataset',
      SCALE_KEY,
      '--training:n-neighbors',
      '5',
      '--name',
      label,
      ...extra,
    ],
    { env: { ...process.env, ALPHANET_DATA_DIR: appDir }, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (child.status !== 0) throw new Error(`${label}: alphanet sweep failed:\n${child.stdout}\n${child.stderr}`);
  const runs = child.stdout
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((l) => l.replace(/ \(run \d+, [^)]*\)$/, ''))
    .sort();
  console.log(`  ${label.padEnd(26)} ${wall.toFixed(1).padStart(7)} s   load before ${loadBefore}, after ${load()}`);
  return { wall, runs };
}

console.log(`${os.availableParallelism()} cores, node ${process.version}, ${epochs} epochs per run; load ${load()}`);
const full = ['--grid', 'r=0.5,1', '--reps', '5', '--training:train-epochs', String(epochs)];
const minEpochs = ['--training:min-epochs', String(Math.min(5, epochs))];
sweep('warm-up (fills the caches)', [
  '--grid',
  'r=0.5',
  '--reps',
  '1',
  '--training:train-epochs',
  '1',
  '--training:min-epochs',
  '1',
]);
const one: ReturnType<typeof sweep>[] = [];
const two: ReturnType<typeof sweep>[] = [];
for (let round = 1; round <= rounds; round++) {
  one.push(sweep(`concurrency 1, #${round}`, [...full, ...minEpochs, '--concurrency', '1']));
  two.push(sweep(`concurrency 2, #${round}`, [...full, ...minEpochs, '--concurrency', '2']));
}
const best = (xs: ReturnType<typeof sweep>[]) => Math.min(...xs.map((x) => x.wall));
const same = [...one, ...two].every((x) => JSON.stringify(x.runs) === JSON.stringify(one[0].runs));
console.log(
  `\nsweep of 10 runs, warm (best of ${rounds}): --concurrency 1 ${best(one).toFixed(1)} s, --concurrency 2 ${best(two).toFixed(1)} s; ` +
    `ratio 2/1 ${(best(two) / best(one)).toFixed(2)}×; target ≤ 60 s: ${best(two) <= 60 ? 'met' : 'NOT met'}`,
);
console.log(`the same test accuracies, run by run: ${same}`);
if (!same) {
  // Which runs differ, so that a mismatch can be followed up.
  for (const x of [...one, ...two])
    x.runs.forEach((line, i) => {
      if (line !== one[0].runs[i]) console.log(`  differs: ${line}\n     from: ${one[0].runs[i] ?? '(missing)'}`);
    });
}
console.log(`load average after: ${load()}`);
