import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPythonFile } from '../formats/read.ts';
import { openDb } from '../store/db.ts';
import { importOriginalFile } from './import-file.ts';
import { originalResultToRunResult } from './original-result.ts';
import { RunStore } from '../store/run-store.ts';

const RESULT_FILE = path.resolve(import.meta.dirname, '../../test/fixtures/tinylt/result.pth');

describe('importOriginalFile', () => {
  it('records the original run as a finished run once, and exports it back unchanged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-import-'));
    const db = openDb(path.join(dir, 'w.sqlite'));
    try {
      const store = new RunStore(db);
      const first = await importOriginalFile(store, RESULT_FILE, { experiment: 'original r=0.5' });
      expect(first.duplicate).toBe(false);
      const run = store.requireRun(first.runId);
      expect(run).toMatchObject({
        status: 'done',
        kind: 'train',
        seed: null,
        experiment: 'original r=0.5',
        bestEpoch: 2,
        epochsDone: 10,
      });
      expect(run.extra?.source_sha256).toMatch(/^[0-9a-f]{64}$/);

      const direct = originalResultToRunResult(
        await readPythonFile(RESULT_FILE, { placeholders: 'result-file' }),
        RESULT_FILE,
      );
      expect(store.exportRun(first.runId)).toEqual(direct);
      // Val class sizes are in the file, so per-epoch val results are stored as exact counts.
      expect(
        db.prepare("SELECT COUNT(*) AS n FROM class_results WHERE datagrp = 'val' AND correct IS NOT NULL").get(),
      ).toEqual({ n: 11 });
      expect(store.getRunCurves(first.runId)['validation/accuracy'].values).toHaveLength(10);

      const again = await importOriginalFile(store, RESULT_FILE);
      expect(again).toMatchObject({ duplicate: true, runId: first.runId });
      expect(store.listRuns()).toHaveLength(1);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
