/**
 * The browser UI `alphanet serve` hands out: the renderer built by Vite into out/renderer. A checkout
 * with the renderer's sources and Vite builds it on first use; anything else is told the one command.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.ts';
import { appRoot } from '../paths.ts';
/** The command that builds the web UI, as the messages name it. */
export const WEB_BUILD_COMMAND = 'npm run build:web';

/** Where `npm run build:web` puts the renderer under `root`. */
export function webBuildDir(root: string = appRoot()): string {
  return path.join(root, 'out', 'renderer');
}

export function hasWebBuild(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

const viteBin = (root: string) => path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');

/** What building needs: the renderer's sources, the web config and Vite (an installed package may lack them). */
export function missingForWebBuild(root: string): string[] {
  const needed = [path.join(root, 'vite.web.config.ts'), path.join(root, 'src-renderer', 'index.html'), viteBin(root)];
  return needed.filter((f) => !fs.existsSync(f));
}

/** Builds the renderer into `outDir` (what `npm run build:web` does); throws with Vite's last lines when it fails. */
export function buildWeb(root: string, outDir: string = webBuildDir(root)): void {
  const result = spawnSync(
    process.execPath,
    [viteBin(root), 'build', '--config', 'vite.web.config.ts', '--outDir', outDir, '--emptyOutDir'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    const said = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new UserError(
      `building the web UI failed (${WEB_BUILD_COMMAND} in ${root}):\n${said || (result.error?.message ?? `exit ${result.status}`)}`,
    );
  }
}

/**
 * The web build `serve` can hand out, built first when missing and buildable (`log` says so while it
 * builds). Throws a UserError naming the command when it can neither find nor build one.
 */
export function ensureWebBuild(root: string, log: (line: string) => void, outDir: string = webBuildDir(root)): string {
  if (hasWebBuild(outDir)) return outDir;
  const missing = missingForWebBuild(root);
  if (missing.length > 0) {
    throw new UserError(
      `the web UI is not built (${outDir}) and cannot be built here (missing ${missing.join(', ')}). Build it with \`${WEB_BUILD_COMMAND}\` ` +
        `in a checkout of the workbench, or serve only the API with \`alphanet serve --api-only\``,
    );
  }
  log(`alphanet serve: the web UI is not built yet; building it (${WEB_BUILD_COMMAND}) into ${outDir}…`);
  buildWeb(root, outDir);
  return outDir;
}
