#!/usr/bin/env node
/**
 * Builds better-sqlite3's addon for the installed Electron's ABI with @electron/rebuild into
 * out/native/, leaving the Node build in node_modules alone: the CLI and the tests keep working under
 * plain Node, and the desktop app loads this copy (src-main/electron/main.ts sets
 * ALPHANET_SQLITE_BINDING; electron-builder packs it, unpacked from the asar). @electron/rebuild
 * rebuilds a node_modules folder in place, so it works on a copy of the package in a staging folder
 * inside node_modules/.cache (where the copy still resolves better-sqlite3's own dependencies, such as
 * prebuild-install). Needs internet once: the prebuilt addon for Electron (GitHub), else Electron's
 * headers to compile it. `npm start`, `npm run dev` and `npm run dist` run it first; it does nothing
 * when the copy for this Electron version exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { rebuild } from '@electron/rebuild';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const electronVersion = require('electron/package.json').version;
const target = path.join(root, 'out', 'native', `better_sqlite3-electron-${electronVersion}.node`);

if (fs.existsSync(target)) process.exit(0);

const source = path.dirname(require.resolve('better-sqlite3/package.json'));
const { version } = require('better-sqlite3/package.json');
const stage = path.join(root, 'node_modules', '.cache', 'alphanet-electron-native');
const pkg = path.join(stage, 'node_modules', 'better-sqlite3');
fs.rmSync(stage, { recursive: true, force: true });
// A copy without the Node build, so nothing here can replace the one the CLI loads.
fs.cpSync(source, pkg, { recursive: true, filter: (file) => !file.startsWith(path.join(source, 'build')) });
fs.writeFileSync(
  path.join(stage, 'package.json'),
  JSON.stringify({ name: 'alphanet-electron-native', private: true, dependencies: { 'better-sqlite3': version } }),
);

console.log(`Building better-sqlite3 ${version} for Electron ${electronVersion} (@electron/rebuild)…`);
try {
  await rebuild({ buildPath: stage, electronVersion, onlyModules: ['better-sqlite3'], force: true });
} catch (error) {
  fs.rmSync(stage, { recursive: true, force: true });
  console.error(
    `Could not build better-sqlite3 for Electron ${electronVersion}: ${error instanceof Error ? error.message : String(error)}\n` +
      'This needs internet access once (github.com for the prebuilt addon, else electronjs.org for the headers and a C++ toolchain).',
  );
  process.exit(1);
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'), target);
fs.rmSync(stage, { recursive: true, force: true });
console.log(`Wrote ${path.relative(root, target)}`);
