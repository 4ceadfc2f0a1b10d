#!/usr/bin/env node
// Runs the CLI from source; a fresh checkout needs no build step (bin/cli-build.mjs: a compile cache).
import { loadCli } from './cli-build.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
