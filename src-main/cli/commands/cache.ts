import path from 'node:path';
import { clearCache, listCache } from '../../data/cache-admin.ts';
import { cacheDir } from '../../paths.ts';
import { getBoolean, getString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

export const command: Command = {
  spec: {
    name: 'cache',
    summary:
      'List or clear the app cache: feature files converted to raw arrays, pretrained scores and class means, neighbour tables. All of it is rebuilt when needed; nothing recorded is in it.',
    usage: 'alphanet cache [--list] [--clear] [--cache-dir DIR] [--json]',
    flags: [
      { name: 'list', kind: 'boolean', help: 'list the entries with their sizes (the default)' },
      { name: 'clear', kind: 'boolean', help: 'delete every entry (the next run rebuilds what it needs)' },
      { name: 'cache-dir', kind: 'string', help: 'the cache folder (default: the app cache)' },
      { name: 'json', kind: 'boolean', help: 'print the list as JSON' },
    ],
  },
  async run(args, io) {
    const flag = getString(args, 'cache-dir');
    const root = flag === undefined ? cacheDir() : path.resolve(io.cwd, flag);
    const clear = getBoolean(args, 'clear') === true;
    if (clear && getBoolean(args, 'list') === true) throw new UsageError('--list and --clear: choose one');
    if (clear) {
      io.out(`cleared ${root}: ${size(clearCache(root))} freed`);
      return 0;
    }
    const entries = listCache(root);
    if (getBoolean(args, 'json')) {
      io.out(JSON.stringify({ root, entries }, null, 1));
      return 0;
    }
    io.out(`cache ${root}: ${entries.length} entries, ${size(entries.reduce((s, e) => s + e.bytes, 0))}`);
    for (const e of entries) {
      const when = new Date(e.modifiedMs).toISOString().slice(0, 16).replace('T', ' ');
      const from = e.sources.length > 0 ? `  ${e.sources.join(', ')}` : '';
      io.out(`  ${size(e.bytes).padStart(10)}  ${when}  ${e.kind}/${e.name}${from}`);
    }
    return 0;
  },
};
