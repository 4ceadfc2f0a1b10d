#!/usr/bin/env node
// Runs the CLI from source: tsx compiles TypeScript on the fly, so a fresh checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
