import fs from 'node:fs';
import path from 'node:path';
import { getString } from '../args.ts';
import type { Command } from '../command.ts';
import { DB_FLAG, openStoreArg, parseRunId } from '../store-cli.ts';

export const command: Command = {
  spec: {
    name: 'export-run',
    summary: 'Write a recorded run as JSON, in the shape `train --save-file` writes (unknown values are null).',
    usage: 'alphanet export-run ID [--out FILE] [--db FILE]',
    positionals: ['ID'],
    flags: [DB_FLAG, { name: 'out', short: 'o', kind: 'string', help: 'write to this file instead of stdout' }],
  },
  async run(args, io) {
    const runId = parseRunId(args.positionals[0]);
    const { db, store } = openStoreArg(args, io, { readOnly: true });
    try {
      const text = `${JSON.stringify(store.exportRun(runId), null, 1)}\n`;
      const out = getString(args, 'out');
      if (out === undefined) {
        io.out(text);
      } else {
        const file = path.resolve(io.cwd, out);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        io.err(`wrote run ${runId} to ${out}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
