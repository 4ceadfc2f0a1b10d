import fs from 'node:fs';
import path from 'node:path';
import { recordedBaselineRun } from '../../runs/record-run.ts';
import type { LoadedDataset } from '../../../src-shared/dataset.ts';
import type { RunResult } from '../../../src-shared/result.ts';
import { getList, getString, type ParsedArgs } from '../args.ts';
import { phasePrinter } from '../progress.ts';
import type { CliIO, Command } from '../command.ts';
import { BACKEND_FLAG, backendOf, cacheRootOf, DATASET_FLAGS, loadDatasetArg, splitTable } from '../engine-cli.ts';
import { DB_FLAG, EXPERIMENT_FLAG, openStoreArg } from '../store-cli.ts';

/**
 * Evaluates the pretrained classifier unchanged on `datagrps` (default all), records the run, prints the
 * table and writes `--save-file`. Also `train --alphanet:dummy-mode`'s path.
 */
export async function baselineAndReport(
  args: ParsedArgs,
  io: CliIO,
  ds: LoadedDataset,
  datagrps: string[] | undefined,
): Promise<RunResult> {
  const { db, store } = openStoreArg(args, io);
  try {
    const { runId, result } = await recordedBaselineRun(store, ds, {
      datagrps,
      backend: backendOf(args),
      experiment: getString(args, 'experiment'),
      cacheRoot: cacheRootOf(args, io),
      onPhase: phasePrinter(io),
    });
    io.out(`backend: ${result.backend}; recorded as run ${runId}`);
    io.out(`Accuracy (%) of the pretrained classifier of '${ds.spec.key}':`);
    io.out(splitTable(Object.entries(result.evals ?? {}).map(([name, metrics]) => ({ name, metrics }))));
    const saveFile = getString(args, 'save-file');
    if (saveFile !== undefined) {
      const file = path.resolve(io.cwd, saveFile);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
      io.out(`saved ${saveFile}`);
    }
    return result;
  } finally {
    db.close();
  }
}

export const command: Command = {
  spec: {
    name: 'baseline',
    summary:
      "Evaluate the pretrained classifier unchanged (AlphaNet's dummy mode) on every datagrp of a dataset; recorded in the workbench database.",
    usage: 'alphanet baseline --dataset KEY [--save-file FILE]',
    flags: [
      ...DATASET_FLAGS,
      DB_FLAG,
      EXPERIMENT_FLAG,
      { name: 'datagrps', kind: 'list', help: "datagrps to evaluate (default: all of the dataset's)" },
      { name: 'save-file', kind: 'string', help: 'write the result (JSON, every datagrp under `evals`) to this file' },
      BACKEND_FLAG,
    ],
  },
  async run(args, io) {
    const wanted = getList(args, 'datagrps');
    await baselineAndReport(args, io, await loadDatasetArg(args, io, wanted), wanted);
    return 0;
  },
};
