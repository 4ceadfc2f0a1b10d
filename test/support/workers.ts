/** `alphanet worker` processes for tests: each with its own data folder and caches, as on another machine. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (the worker hands its runs back), SIGKILL after 15 s; removes its data folder. */
  stop(): Promise<void>;
}

export async function startWorkerProcess(
  redisUrl: string,
  name: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `alphanet-worker-${name}-`));
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'alphanet.mjs'), 'worker', '--redis', redisUrl, '--name', name, ...extra],
    {
      cwd: dataDir,
      env: { ...process.env, ALPHANET_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', () => {
      if (output.includes('is taking runs')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited (${code}):\n${output}`));
    });
  });
  return { name, child, output: () => output, stop };
}
