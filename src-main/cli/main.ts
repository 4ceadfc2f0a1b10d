import { formatHelp, parseArgs, UsageError } from './args.ts';
import type { CliIO, Command } from './command.ts';
import { DiskError, isDiskError, UserError } from '../errors.ts';

/** Each subcommand lives in commands/<name>.ts and is loaded only when used (keeps `--help` fast). */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  demo: () => import('./commands/demo.ts'),
  serve: () => import('./commands/serve.ts'),
  train: () => import('./commands/train.ts'),
  sweep: () => import('./commands/sweep.ts'),
  baseline: () => import('./commands/baseline.ts'),
  neighbors: () => import('./commands/neighbors.ts'),
  eval: () => import('./commands/eval.ts'),
  validate: () => import('./commands/validate.ts'),
  runs: () => import('./commands/runs.ts'),
  tag: () => import('./commands/tag.ts'),
  resume: () => import('./commands/resume.ts'),
  'export-run': () => import('./commands/export-run.ts'),
  import: () => import('./commands/import.ts'),
  inspect: () => import('./commands/inspect.ts'),
  results: () => import('./commands/results.ts'),
  combos: () => import('./commands/combos.ts'),
  inspector: () => import('./commands/inspector.ts'),
  replay: () => import('./commands/replay.ts'),
  cache: () => import('./commands/cache.ts'),
  worker: () => import('./commands/worker.ts'),
};

export function processIO(): CliIO {
  // A reader that goes away (`alphanet runs | head`) is not an error: stop writing, exit quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
  };
}

/** The command list with each command's summary (first sentence); loads every command, so only for help. */
async function overview(): Promise<string> {
  const entries = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => {
      const { command } = await load();
      return [name, command.spec.summary.split(/(?<=\.)\s|:\s/)[0].replace(/\.$/, '')] as const;
    }),
  );
  const width = Math.max(...entries.map(([name]) => name.length)) + 4;
  return [
    'Usage: alphanet <command> [options]',
    '',
    'AlphaNet Workbench: train, evaluate, record and compare AlphaNet runs.',
    '',
    'Commands:',
    ...entries.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`),
    '',
    "Run `alphanet <command> --help` for a command's options.",
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage error. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview());
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`alphanet: unknown command '${name}'\n\n${await overview()}`);
    return 2;
  }
  const { command } = await load();
  try {
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      io.out(formatHelp(command.spec));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`alphanet ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof UserError) {
      io.err(`alphanet ${name}: ${error.message}`);
      return 1;
    }
    // A disk error no step named a folder for: still one line, not a stack trace.
    if (isDiskError(error)) {
      io.err(
        `alphanet ${name}: ${new DiskError('a folder this command writes to', (error as { code: string }).code).message}`,
      );
      return 1;
    }
    throw error;
  }
}
