#!/usr/bin/env node
/**
 * Builds the engine's native kernels (src-main/engine/native) with node-gyp, as npm's postinstall.
 * They are optional: on a machine without a C compiler, or not x86-64, the engine uses wasm instead, so
 * a failed build prints why and exits 0 — unless `--required` (npm run build:native), which fails.
 * node-gyp is npm's own copy; `nodedir` from npm's config (set on machines without internet, where the
 * headers come with Node) is passed on.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const required = process.argv.includes('--required');
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src-main', 'engine', 'native');

function skip(why) {
  const message = `native kernels not built: ${why}; training uses the wasm backend's kernels`;
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (process.env.ALPHANET_NATIVE === '0') skip('ALPHANET_NATIVE=0');
if (process.arch !== 'x64') skip(`they are written for x86-64 (this is ${process.arch})`);

const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath &&
    path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  path.join(
    path.dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  ),
];
const gyp = candidates.find((p) => p && fs.existsSync(p));
if (!gyp) skip('node-gyp not found (it comes with npm)');

let nodedir = process.env.npm_config_nodedir;
if (!nodedir) {
  const npm = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' });
  const value = npm.status === 0 ? npm.stdout.trim() : '';
  if (value && value !== 'undefined' && value !== 'null') nodedir = value;
}
const args = [gyp, 'rebuild', '--silent', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(result.stderr ?? '');
  skip(`node-gyp exited with ${result.status ?? result.signal}`);
}
console.log(
  `native kernels built in ${((Date.now() - started) / 1000).toFixed(1)} s (${path.join(dir, 'build', 'Release')})`,
);
