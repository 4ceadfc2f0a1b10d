#!/usr/bin/env node
// Runs the CLI from source: tsx compiles TypeScript on the fly, so a fresh checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // A bug: its stack, not an uncaught exception (the wasm backend's handler would rethrow it with a
  // screenful of minified source and exit code 7).
  process.stderr.write(`alphanet: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 70;
}
