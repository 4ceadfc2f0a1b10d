/** `electron-vite build` into a folder of its own (tests and benchmarks of the built bundle), failing with its output. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export function buildDesktopBundle(outDir: string): void {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
      'build',
      '--outDir',
      outDir,
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`electron-vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}
