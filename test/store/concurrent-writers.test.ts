import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/store/db.ts';
import { RunStore } from '../../src-main/store/run-store.ts';
import { SMALL_SHAPE } from '../../src-main/store/test-records.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function writer(db: string, runs: number, seed: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/store/writer-child.ts', db, String(runs), String(seed)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('two processes writing one database', () => {
  it('both finish every run: writers wait for each other instead of failing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-concurrent-'));
    const file = path.join(dir, 'w.sqlite');
    openDb(file).close();
    const runs = 150;
    const results = await Promise.all([writer(file, runs, 1), writer(file, runs, 2)]);
    for (const r of results) expect(r, r.out).toMatchObject({ code: 0, out: `ok ${runs}\n` });
    const db = openDb(file);
    try {
      const store = new RunStore(db);
      const all = store.listRuns();
      expect(all).toHaveLength(2 * runs);
      expect(all.every((r) => r.status === 'done' && r.epochsDone === SMALL_SHAPE.epochs)).toBe(true);
      expect(store.listRuns({ experiment: 'writer 2' })).toHaveLength(runs);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
