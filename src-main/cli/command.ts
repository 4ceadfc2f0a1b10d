import type { CommandSpec, ParsedArgs } from './args.ts';

/** Where a command writes: stdout/stderr in the real CLI, buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars instead of plain lines). */
  isTTY: boolean;
  cwd: string;
}

/** One `alphanet <name>` subcommand. `run` returns the exit code (0 ok, 1 failure; usage errors throw). */
export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
