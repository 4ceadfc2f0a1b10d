import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readPythonFile } from '../formats/read.ts';
import { UserError } from '../errors.ts';
import { importOriginalResult } from './original-result.ts';
import type { RunStore } from '../store/run-store.ts';

export interface ImportOptions {
  /** Group name (default: derived from the config, as for our own runs). */
  experiment?: string;
  /** Record under this dataset key instead of the one in the file (the original's names may differ). */
  dataset?: string;
}

export interface ImportOutcome {
  file: string;
  /** The new run, or the run this same file was imported as before. */
  runId: number;
  duplicate: boolean;
  notes: string[];
}

/** Where a run's `extra` keeps the SHA-256 of the file it was imported from (to skip re-imports). */
const SOURCE_HASH_KEY = 'source_sha256';

/**
 * Imports one result or baseline file of the original AlphaNet as a finished run. Importing the same
 * bytes again returns the existing run instead of adding a duplicate.
 */
export async function importOriginalFile(
  store: RunStore,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportOutcome> {
  let hash: string;
  try {
    hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (error) {
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const existing = store.db
    .prepare(`SELECT id FROM runs WHERE json_extract(extra, '$.${SOURCE_HASH_KEY}') = ?`)
    .get(hash) as { id: number } | undefined;
  if (existing) return { file, runId: existing.id, duplicate: true, notes: [] };

  const { result, extra, notes } = importOriginalResult(
    await readPythonFile(file, { placeholders: 'result-file' }),
    file,
  );
  if (opts.dataset) {
    result.dataset = opts.dataset;
    result.config.dataset = opts.dataset;
  }
  const runId = store.db
    .transaction(() => {
      const id = store.createRun({
        kind: result.kind,
        config: result.config,
        seed: null,
        experiment: opts.experiment,
        backend: result.backend,
        appVersion: result.app_version,
        extra: { ...extra, [SOURCE_HASH_KEY]: hash },
      });
      store.finishRun(id, { result });
      return id;
    })
    .immediate();
  return { file, runId, duplicate: false, notes };
}
