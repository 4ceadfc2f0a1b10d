#!/usr/bin/env node
/**
 * Builds better-sqlite3's addon for the installed Electron's ABI into out/native/, leaving the Node
 * build in node_modules alone: the CLI and the tests keep working, and the desktop app loads this copy
 * (src-main/electron/main.ts sets ALPHANET_SQLITE_BINDING). Needs internet once: it fetches the
 * prebuilt addon for Electron, or Electron's headers to compile it. `npm start` runs it first; it
 * does nothing when the copy for this Electron version exists.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const electronVersion = require('electron/package.json').version;
const target = path.join(root, 'out', 'native', `better_sqlite3-electron-${electronVersion}.node`);

if (fs.existsSync(target)) process.exit(0);

const source = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-electron-native-'));
const pkg = path.join(work, 'better-sqlite3');
// A copy without the Node build, so nothing here can replace the one the CLI loads.
fs.cpSync(source, pkg, { recursive: true, filter: (file) => !file.startsWith(path.join(source, 'build')) });
const run = (command, args) => execFileSync(command, args, { cwd: pkg, stdio: 'inherit' });

console.log(`Building better-sqlite3 for Electron ${electronVersion}…`);
try {
  run(process.execPath, [require.resolve('prebuild-install/bin.js', { paths: [source] }), '--runtime', 'electron', '--target', electronVersion]);
} catch {
  console.log('No prebuilt addon for this Electron; compiling against its headers.');
  try {
    // --nodedir= : a nodedir in .npmrc would make node-gyp compile against Node's headers instead.
    run('npx', ['--yes', '--nodedir=', 'node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers']);
  } catch {
    fs.rmSync(work, { recursive: true, force: true });
    console.error(`Could not build better-sqlite3 for Electron ${electronVersion}: this needs internet access once (github.com or electronjs.org).`);
    process.exit(1);
  }
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'), target);
fs.rmSync(work, { recursive: true, force: true });
console.log(`Wrote ${path.relative(root, target)}`);
