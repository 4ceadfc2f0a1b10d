import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { importOriginalFile } from '../../results/import-file.ts';
import { getString } from '../args.ts';
import type { Command } from '../command.ts';
import { DB_FLAG, EXPERIMENT_FLAG, openStoreArg } from '../store-cli.ts';

/** The original's result files are torch.save'd (`.pth`, `.pt`) or pickled (`.pkl`). */
const RESULT_FILE = /\.(pth|pt|pkl|pickle)$/i;

function resultFiles(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UserError(`${target}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [target];
  const files = fs
    .readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((name) => RESULT_FILE.test(name))
    .map((name) => path.join(target, name))
    .sort();
  if (files.length === 0) throw new UserError(`${target}: no result files (*.pth, *.pt, *.pkl) in this folder`);
  return files;
}

export const command: Command = {
  spec: {
    name: 'import',
    summary:
      "Record the original AlphaNet's result files (train.py --save-file, or a baseline file) as finished runs. " +
      'A folder imports every *.pth/*.pt/*.pkl under it; a file imported before is skipped.',
    usage: 'alphanet import FILE|FOLDER [--experiment NAME] [--dataset KEY] [--db FILE]',
    positionals: ['FILE'],
    flags: [
      DB_FLAG,
      EXPERIMENT_FLAG,
      { name: 'dataset', kind: 'string', help: "record under this dataset key instead of the file's own" },
    ],
  },
  async run(args, io) {
    const files = resultFiles(path.resolve(io.cwd, args.positionals[0]));
    const { db, store } = openStoreArg(args, io);
    let failed = 0;
    const notes = new Set<string>();
    try {
      for (const file of files) {
        try {
          const outcome = await importOriginalFile(store, file, {
            experiment: getString(args, 'experiment'),
            dataset: getString(args, 'dataset'),
          });
          const run = store.requireRun(outcome.runId);
          const name = path.relative(io.cwd, file) || file;
          io.out(
            outcome.duplicate
              ? `${name}: already imported as run ${run.id}`
              : `${name}: run ${run.id} (${run.kind}, ${run.dataset}, experiment "${run.experiment}")`,
          );
          for (const note of outcome.notes) notes.add(note);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          failed++;
          io.err(`alphanet import: ${error.message}`);
        }
      }
    } finally {
      db.close();
    }
    // The same gaps hold for every file of the original, so each is said once.
    for (const note of notes) io.err(`note: ${note}`);
    return failed > 0 ? 1 : 0;
  },
};
