/**
 * The CLI's start-up from the desktop build (out/main/cli.js, run by bin/alphanet.mjs while it is
 * current) against the sources through the compile cache (the reference: the default without a build)
 * and through tsx (ALPHANET_CLI_FROM_SOURCE=1): `alphanet --help` and `alphanet runs` on an empty data
 * folder, whole processes, best of 7 alternated rounds. Builds into a folder of its own first.
 * Run: node bin/run-ts.mjs bench/cli-startup.ts
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDesktopBundle } from '../test/support/desktop-build.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', `alphanet-bench-startup-${process.pid}`);
const ROUNDS = 7;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-bench-startup-'));

buildDesktopBundle(OUT);

const base: NodeJS.ProcessEnv = {
  ...process.env,
  ALPHANET_DATA_DIR: dataDir,
  ALPHANET_CLI_CACHE: path.join(OUT, 'cli-cache'),
};
delete base.ALPHANET_CLI_FROM_SOURCE;
const MODES = {
  build: { ...base, ALPHANET_CLI_BUILD: path.join(OUT, 'main') },
  'compile cache': { ...base, ALPHANET_CLI_BUILD: path.join(OUT, 'none') },
  tsx: { ...base, ALPHANET_CLI_FROM_SOURCE: '1' },
} as const;
type Mode = keyof typeof MODES;
const COMMANDS = [['--help'], ['runs']];

function once(mode: Mode, argv: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'alphanet.mjs'), ...argv], {
    cwd: dataDir,
    env: MODES[mode],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${mode}: alphanet ${argv.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return performance.now() - started;
}

try {
  for (const argv of COMMANDS) once('compile cache', argv); // fills the cache, as any earlier call would have
  for (const argv of COMMANDS) {
    const times: Record<Mode, number[]> = { build: [], 'compile cache': [], tsx: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const mode of Object.keys(MODES) as Mode[]) times[mode].push(once(mode, argv));
    const best = (mode: Mode) => Math.min(...times[mode]);
    const ref = best('compile cache');
    console.log(`alphanet ${argv.join(' ')} (best of ${ROUNDS}, load ${os.loadavg()[0].toFixed(1)}):`);
    for (const mode of Object.keys(MODES) as Mode[])
      console.log(
        `  ${mode.padEnd(14)} ${best(mode).toFixed(0).padStart(5)} ms  ${(best(mode) / ref).toFixed(2)}× the compile cache`,
      );
  }
} finally {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
