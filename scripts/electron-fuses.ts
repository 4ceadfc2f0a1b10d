/**
 * Flips the workbench's Electron fuses (src-main/electron/fuses.ts) in a packaged Electron binary:
 *   node bin/run-ts.mjs scripts/electron-fuses.ts path/to/AlphaNet Workbench(.exe)
 * On macOS the app must be re-signed afterwards (the binary changed).
 */
import fs from 'node:fs';
import { flipFuses, WORKBENCH_FUSES } from '../src-main/electron/fuses.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/run-ts.mjs scripts/electron-fuses.ts <packaged Electron binary>');
  process.exit(2);
}
const bytes = fs.readFileSync(file);
const changed = flipFuses(bytes, WORKBENCH_FUSES);
fs.writeFileSync(file, bytes);
console.log(
  `${file}: ${changed} fuse(s) flipped (${Object.entries(WORKBENCH_FUSES)
    .map(([k, v]) => `${k}=${v ? 'on' : 'off'}`)
    .join(', ')})`,
);
