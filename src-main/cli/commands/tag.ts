import type { Command } from '../command.ts';
import { UsageError } from '../args.ts';
import { DB_FLAG, openStoreArg, parseRunId, tagsArg } from '../store-cli.ts';

export const command: Command = {
  spec: {
    name: 'tag',
    summary:
      "Add or remove tags on recorded runs (what `alphanet runs --tag` and the Runs view filter by); prints each run's tags after.",
    usage: 'alphanet tag ID[,ID...] [--add TAG ...] [--remove TAG ...] [--db FILE]',
    positionals: ['ID[,ID...]'],
    flags: [
      DB_FLAG,
      { name: 'add', kind: 'list', repeatable: true, help: 'tags to add (one word each, no commas)' },
      { name: 'remove', kind: 'list', repeatable: true, help: 'tags to remove' },
    ],
  },
  async run(args, io) {
    const ids = [...new Set(args.positionals[0].split(',').map((id) => parseRunId(id.trim())))];
    const add = tagsArg(args, 'add');
    const remove = tagsArg(args, 'remove');
    if (!add && !remove) throw new UsageError('give --add TAG or --remove TAG (see `alphanet tag --help`)');
    const { db, store } = openStoreArg(args, io);
    try {
      store.tagRuns(ids, { add, remove });
      for (const id of ids) io.out(`run ${id}: ${store.requireRun(id).tags.join(' ') || '(no tags)'}`);
      return 0;
    } finally {
      db.close();
    }
  },
};
