import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'AlphaNet Workbench';

/**
 * The app's data folder (database, caches, checkpoints). The CLI uses the same folder as Electron's
 * `app.getPath('userData')` so that runs launched from a terminal show up in the app.
 * `ALPHANET_DATA_DIR` overrides it (tests, CI, headless servers).
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALPHANET_DATA_DIR) return path.resolve(env.ALPHANET_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
  }
}

/**
 * The app's dataset registry: a datasets.toml in the original project's format in the data folder.
 * The app writes it when a dataset is added or removed; the CLI reads it when no `--config` is given.
 */
export function datasetRegistryFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'datasets.toml');
}

/** View settings remembered for this data folder (the API's getPreferences/setPreferences). */
export function preferencesFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'preferences.json');
}

/** Converted-array and pretrained-logit caches, keyed by dataset fingerprints. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'cache');
}

/**
 * True when this code runs from the TypeScript sources (tsx, vitest, the CLI's compile cache, which
 * keeps each module's own location), false from the build in out/main/.
 */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

let root: string | undefined;

/**
 * The checkout (or the packaged app): package.json, resources/, out/. It is the nearest folder above
 * this module with a package.json, wherever the build puts the module (src-main/, out/main/chunks/).
 */
export function appRoot(): string {
  if (root !== undefined) return root;
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json in any folder above ${import.meta.dirname}`);
  }
}

/** The app's version, from its package.json ('unknown' when it names none). */
export function appVersion(): string {
  const pkg: unknown = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8'));
  const version = (pkg as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

/** The repository's resources/ folder (WordNet, the demo dataset, icons). */
export function resourcesDir(): string {
  return path.join(appRoot(), 'resources');
}
