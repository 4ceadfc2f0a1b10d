/** Runs one `alphanet` invocation in-process with captured output, as the CLI tests drive it. */
import type { CliIO } from '../../src-main/cli/command.ts';
import { main } from '../../src-main/cli/main.ts';

export async function runCli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTTY: false, cwd };
  const code = await main(argv, io);
  return { code, out, err };
}
