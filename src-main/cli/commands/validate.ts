import path from 'node:path';
import type { DatasetReport } from '../../../src-shared/dataset.ts';
import { findDataset } from '../../data/config.ts';
import { emptyReport, formatReport, validateDataset } from '../../data/validate.ts';
import { UserError } from '../../errors.ts';
import { getBoolean, getString, requireString } from '../args.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  spec: {
    name: 'validate',
    summary:
      'Check a dataset (splits, label names, classifier, features) and print a report. Exit code 0 when it can be trained on, 1 when not.',
    usage: 'alphanet validate --dataset KEY [--config datasets.toml] [--json]',
    flags: [
      { name: 'dataset', kind: 'string', help: 'the dataset key (a [table] of the config)' },
      {
        name: 'config',
        kind: 'string',
        help: 'the datasets.toml (default: ./config/datasets.toml, then the registry in the data folder; `demo` is built in)',
      },
      { name: 'json', kind: 'boolean', help: 'print the report as JSON' },
      { name: 'cache-dir', kind: 'string', help: 'folder for converted features (default: the app cache)' },
      {
        name: 'cache',
        kind: 'boolean',
        help: 'use the converted-features cache (--no-cache: parse the sources)',
        default: 'on',
      },
    ],
  },
  async run(args, io) {
    const key = requireString(args, 'dataset');
    const config = getString(args, 'config');
    const cacheDirFlag = getString(args, 'cache-dir');
    const cacheDir =
      getBoolean(args, 'cache') === false
        ? null
        : cacheDirFlag === undefined
          ? undefined
          : path.resolve(io.cwd, cacheDirFlag);
    let report: DatasetReport;
    try {
      const { spec, warnings } = findDataset(key, config, io.cwd);
      report = await validateDataset(spec, { cacheDir });
      report.warnings.unshift(...warnings);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report = emptyReport(key);
      report.errors.push(error.message);
    }
    io.out(args.flags.get('json') === true ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.usable ? 0 : 1;
  },
};
