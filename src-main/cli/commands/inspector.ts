import fs from 'node:fs';
import path from 'node:path';
import { plotCsv, PLOT_NAMES, type PlotName } from '../../../src-shared/inspector.ts';
import { UserError } from '../../errors.ts';
import { inspectGathered } from '../../inspector/experiment.ts';
import { getNumber, getString, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { cacheRootOf } from '../engine-cli.ts';
import { experimentsFromArgs, EXPERIMENT_SOURCE_FLAGS } from '../experiment-cli.ts';

export const command: Command = {
  spec: {
    name: 'inspector',
    summary:
      "The Inspector's data for one experiment: per-class accuracies, each few class's combination and confusions (with WordNet relations on ImageNet data), and the data of the paper's plots. Prints JSON, one plot as CSV (--plot), or writes everything to a folder (--out-dir).",
    usage:
      'alphanet inspector --experiment NAME [--dataset KEY] [--db FILE] [--plot NAME | --out-dir DIR]\n       alphanet inspector --base-res-dir D [--rel-exp-path P] [--res-files-pattern GLOB] [--dataset KEY] [--plot NAME | --out-dir DIR]',
    flags: [
      ...EXPERIMENT_SOURCE_FLAGS,
      { name: 'plot', kind: 'string', help: "print this plot's data as CSV", choices: PLOT_NAMES },
      {
        name: 'out-dir',
        kind: 'string',
        help: 'write inspector.json and every applicable <plot>.csv into this folder',
      },
      { name: 'mistake-n', kind: 'integer', help: 'confusions listed per few class and list', default: '10' },
      {
        name: 'semantic-level',
        kind: 'integer',
        help: 'WordNet level of the semantic accuracy and prediction changes',
        default: '4',
      },
      { name: 'alpha-bins', kind: 'integer', help: 'histogram bins of each α̃ coefficient', default: '20' },
    ],
  },
  async run(args, io) {
    const plot = getString(args, 'plot') as PlotName | undefined;
    const outDir = getString(args, 'out-dir');
    if (plot !== undefined && outDir !== undefined) throw new UsageError('give --plot or --out-dir, not both');
    const positive = (name: string, min: number): number | undefined => {
      const v = getNumber(args, name);
      if (v !== undefined && v < min) throw new UsageError(`--${name} must be at least ${min}`);
      return v;
    };
    const options = {
      mistakeN: positive('mistake-n', 0),
      semanticLevel: positive('semantic-level', 0),
      alphaBins: positive('alpha-bins', 1),
    };
    const { ds, gs } = await experimentsFromArgs(args, io);
    if (gs.length > 1) {
      const names = gs.map((x) => `'${x.experiment}'`).join(', ');
      throw new UsageError(`the experiment is a sweep of ${gs.length} configs (${names}): choose one with --group`);
    }
    const [g] = gs;
    const data = inspectGathered(ds, g, { ...options, cacheRoot: cacheRootOf(args, io) });
    if (plot !== undefined) {
      const csv = plotCsv(data.plots, plot);
      if (csv === null)
        throw new UserError(`the ${plot} plot needs WordNet ids as class labels; '${ds.spec.key}' has none`);
      io.out(csv.replace(/\n$/, ''));
      return 0;
    }
    if (outDir === undefined) {
      io.out(JSON.stringify(data, null, 1));
      return 0;
    }
    const dir = path.resolve(io.cwd, outDir);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'inspector.json'), `${JSON.stringify(data, null, 1)}\n`);
      for (const name of PLOT_NAMES) {
        const csv = plotCsv(data.plots, name);
        if (csv !== null) fs.writeFileSync(path.join(dir, `${name}.csv`), csv);
      }
    } catch (error) {
      throw new UserError(`cannot write into ${dir}: ${(error as Error).message}`);
    }
    io.out(`wrote ${path.join(outDir, 'inspector.json')} and the plots' CSV files`);
    return 0;
  },
};
