/**
 * The folder data source of `alphanet results`, as the original's run_printres.py reads results:
 * one experiment per folder under a base folder, its repetitions the files matching a glob pattern.
 */
import fs from 'node:fs';
import path from 'node:path';
import { experimentsFromResults, type ExperimentInput } from '../../src-shared/compare.ts';
import type { RunResult } from '../../src-shared/result.ts';
import { UserError } from '../errors.ts';
import { globFiles } from './glob.ts';
import { readResultFile } from './result-file.ts';

export interface FolderSourceOptions {
  baseResDir: string;
  relExpPaths: readonly string[];
  /** Display names, one per path; default: the path as given (normalised, as Python's str(Path(p))). */
  expNames?: readonly string[];
  /** pathlib glob under each experiment folder. */
  pattern: string;
  prefix?: string;
  suffix?: string;
}

/** Python's str(Path(p)): no `./` parts, no repeated or trailing separators. */
function pythonPathText(p: string): string {
  const normal = path.normalize(p);
  return normal.length > 1 ? normal.replace(/[\\/]+$/, '') : normal;
}

/** Reads every experiment folder; experiments spanning datasets come back once per dataset. */
export async function loadFolderExperiments(options: FolderSourceOptions): Promise<ExperimentInput[]> {
  const { baseResDir, relExpPaths, expNames, pattern } = options;
  if (expNames && expNames.length !== relExpPaths.length) {
    throw new UserError(`--exp-names has ${expNames.length} names for ${relExpPaths.length} experiment paths`);
  }
  if (!fs.existsSync(baseResDir) || !fs.statSync(baseResDir).isDirectory())
    throw new UserError(`no results folder ${baseResDir}`);
  const experiments: ExperimentInput[] = [];
  for (const [i, rel] of relExpPaths.entries()) {
    const dir = path.resolve(baseResDir, rel);
    const name = `${options.prefix ?? ''}${expNames ? expNames[i] : pythonPathText(rel)}${options.suffix ?? ''}`;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`missing results folder: ${dir}`);
    const files = await globFiles(dir, pattern);
    if (files.length === 0) throw new UserError(`${dir}: no result files match '${pattern}' (set --res-files-pattern)`);
    const results: RunResult[] = [];
    for (const file of files) results.push(await readResultFile(file, 'run'));
    experiments.push(...experimentsFromResults(name, results));
  }
  return experiments;
}

/** Baseline rows (named "Baseline", as the original names them) from baseline result files. */
export async function loadBaselines(files: readonly string[]): Promise<ExperimentInput[]> {
  const results: RunResult[] = [];
  for (const file of files) results.push(await readResultFile(file, 'baseline'));
  return experimentsFromResults('Baseline', results, true);
}
