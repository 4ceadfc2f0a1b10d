import path from 'node:path';
import { formatInspectText, toInspectJson } from '../../formats/describe.ts';
import { readPythonFile } from '../../formats/read.ts';
import { getBoolean } from '../args.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  spec: {
    name: 'inspect',
    summary:
      'Show what a pickle, torch (zip or legacy), .npy/.npz or .safetensors file holds: its nested structure, and tensors with dtype, shape and (up to 10,000 elements) values. Result files of the original load with their classes shown as inert records; nothing in the file is ever executed.',
    usage: 'alphanet inspect FILE [--json]',
    positionals: ['FILE'],
    flags: [
      {
        name: 'json',
        kind: 'boolean',
        help: 'print JSON: tensors as {"dtype","shape","data"}, int64 beyond 2**53 as strings',
      },
    ],
  },
  async run(args, io) {
    const file = path.resolve(io.cwd, args.positionals[0]);
    // Placeholder mode, so the original's result files can be shown too.
    const value = await readPythonFile(file, { placeholders: 'result-file' });
    io.out(getBoolean(args, 'json') ? JSON.stringify(toInspectJson(value), null, 1) : formatInspectText(value));
    return 0;
  },
};
