#!/usr/bin/env node
// Runs a TypeScript file (a benchmark or a script) from source: `node bin/run-ts.mjs bench/load.ts [args...]`.
// The script sees its own arguments at process.argv[2...], as if it had been started directly.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bin/run-ts.mjs FILE.ts [args...]\n');
  process.exit(2);
}
register();
const script = path.resolve(file);
process.argv = [process.argv[0], script, ...args];
await import(pathToFileURL(script).href);
