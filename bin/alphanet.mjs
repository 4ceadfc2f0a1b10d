#!/usr/bin/env node
// Runs the CLI from the app build when it is current, else from source; a fresh checkout needs no build step (bin/cli-build.mjs).
import { loadCli } from './cli-build.mjs';

const { main } = await loadCli();
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // A bug: its stack, not an uncaught exception (the wasm backend's handler would rethrow it with a
  // screenful of minified source and exit code 7).
  process.stderr.write(`alphanet: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 70;
}
