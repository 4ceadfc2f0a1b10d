import { NN_DISTS, type NNDist } from '../../../src-shared/config.ts';
import { ConfigError } from '../../engine/run.ts';
import { loadNeighbors } from '../../engine/neighbors.ts';
import { UserError } from '../../errors.ts';
import { getBoolean, getNumber, getString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { DATASET_FLAGS, loadDatasetArg, parseSeed } from '../engine-cli.ts';

export const command: Command = {
  spec: {
    name: 'neighbors',
    summary: "Print each few class's nearest base classes (by distance between mean training features), nearest first.",
    usage: 'alphanet neighbors --dataset KEY [--k 5] [--dist euclidean|cosine|random] [--seed N] [--json]',
    flags: [
      ...DATASET_FLAGS,
      { name: 'k', kind: 'integer', help: 'neighbours per few class', default: '5' },
      { name: 'dist', kind: 'string', help: 'distance between class means', default: 'euclidean', choices: NN_DISTS },
      { name: 'seed', kind: 'string', help: 'seed of the random distances (dist random)', default: '0' },
      { name: 'train-datagrp', kind: 'string', help: 'datagrp whose class means are compared', default: 'train' },
      { name: 'json', kind: 'boolean', help: 'print {"<few class id>": [neighbour ids, nearest first]}' },
    ],
  },
  async run(args, io) {
    const k = getNumber(args, 'k') ?? 5;
    const dist = (getString(args, 'dist') ?? 'euclidean') as NNDist;
    const seed = parseSeed(getString(args, 'seed')) ?? 0;
    const trainDatagrp = getString(args, 'train-datagrp') ?? 'train';
    const ds = await loadDatasetArg(args, io, [trainDatagrp]);
    let table;
    try {
      table = loadNeighbors(ds, k, dist, seed, { trainDatagrp });
    } catch (error) {
      if (error instanceof UserError && !(error instanceof ConfigError)) throw new UsageError(error.message);
      throw error;
    }
    if (getBoolean(args, 'json')) {
      io.out(JSON.stringify(Object.fromEntries(table.few.map((c, i) => [String(c), table.neighbors[i]]))));
      return 0;
    }
    const name = (c: number) => (ds.labelNames ? `${c} ${ds.labelNames[c]}` : String(c));
    io.out(`${k} nearest base classes by ${dist} distance${dist === 'random' ? ` (seed ${seed})` : ''}:`);
    table.few.forEach((c, i) => io.out(`${name(c)}: ${table.neighbors[i].map(name).join(', ')}`));
    return 0;
  },
};
