import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from './command.ts';
import { main } from './main.ts';
import { openDb } from '../store/db.ts';
import { RunStore } from '../store/run-store.ts';
import { SMALL_SHAPE, syntheticConfig } from '../store/test-records.ts';

const RESULT_FILE = path.resolve(import.meta.dirname, '../../test/fixtures/tinylt/result.pth');
let dir: string;

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    cwd: '',
    out: (t: string) => (io.stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t: string) => (io.stderr += t.endsWith('\n') ? t : `${t}\n`),
  };
  return io;
}

async function run(...argv: string[]) {
  const io = capture();
  io.cwd = dir;
  const code = await main(argv, io);
  return { code, ...io };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cli-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('runs / import / export-run / resume commands', () => {
  it('imports the original result, lists it and exports it as JSON', async () => {
    const imported = await run('import', RESULT_FILE, '--db', 'w.sqlite', '--experiment', 'AlphaNet (r=0.5)');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/run 1 \(train, tinylt_synth, experiment "AlphaNet \(r=0\.5\)"\)/);

    const table = await run('runs', '--db', 'w.sqlite');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^id\s+dataset\s+experiment\s+config\s+status\s+seed\s+epochs\s+best\s+few\s+med\.\s+many\s+overall$/,
    );
    expect(table.stdout).toMatch(
      /1\s+tinylt_synth\s+AlphaNet \(r=0\.5\)\s+–\s+done\s+–\s+10\/10\s+2\s+16\.5\s+68\.8\s+87\.5\s+56\.3/,
    );

    const json = await run('runs', '--db', 'w.sqlite', '--json', '--status', 'done');
    expect(JSON.parse(json.stdout)).toMatchObject([
      { id: 1, status: 'done', best_epoch: 2, epochs_done: 10, test: { few: 0.165 } },
    ]);
    expect(JSON.parse((await run('runs', '--db', 'w.sqlite', '--json', '--status', 'failed')).stdout)).toEqual([]);

    const exported = await run('export-run', '1', '--db', 'w.sqlite', '--out', 'run1.json');
    expect(exported.code).toBe(0);
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'run1.json'), 'utf8')) as {
      best_epoch: number;
      seed: unknown;
      test: { top5: number };
    };
    expect(result.best_epoch).toBe(2);
    expect(result.seed).toBeNull();
    expect(result.test.top5).toBe(0.9233333333333333);
  });

  it('explains bad ids, missing runs and runs that cannot be resumed', async () => {
    await run('import', RESULT_FILE, '--db', 'w.sqlite');
    expect(await run('export-run', 'abc', '--db', 'w.sqlite')).toMatchObject({ code: 2 });
    expect((await run('export-run', '7', '--db', 'w.sqlite')).stderr).toMatch(/no run with id 7/);
    const resumed = await run('resume', '1', '--db', 'w.sqlite');
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/run 1 is done; only interrupted or cancelled runs can be resumed/);
    const missing = await run('import', 'nope.pth', '--db', 'w.sqlite');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/nope\.pth: no such file or folder/);
  });

  it('tags runs and lists only the runs carrying every tag asked', async () => {
    const db = openDb(path.join(dir, 'w.sqlite'));
    const store = new RunStore(db);
    for (const seed of [1, 2, 3])
      store.createRun({ kind: 'train', config: syntheticConfig('tiny', SMALL_SHAPE), seed });
    db.close();
    const tagged = await run('tag', '1,2', '--add', 'keep', 'paper', '--db', 'w.sqlite');
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toBe('run 1: keep paper\nrun 2: keep paper\n');
    expect((await run('tag', '2', '--remove', 'paper', '--db', 'w.sqlite')).stdout).toBe('run 2: keep\n');

    const ids = async (...flags: string[]) =>
      (JSON.parse((await run('runs', '--db', 'w.sqlite', '--json', ...flags)).stdout) as { id: number }[]).map(
        (r) => r.id,
      );
    expect(await ids('--tag', 'keep')).toEqual([1, 2]);
    expect(await ids('--tag', 'keep', '--tag', 'paper')).toEqual([1]);
    expect(await ids('--tag', 'nope')).toEqual([]);
    const table = await run('runs', '--db', 'w.sqlite', '--tag', 'keep');
    expect(table.stdout.split('\n')[0]).toMatch(/\bstatus\s+tags\s+seed\b/);
    expect(table.stdout).toMatch(/\bqueued\s+keep paper\s+1\s/);

    const bad = await run('runs', '--db', 'w.sqlite', '--tag', 'a,b');
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(/--tag: tag 'a,b': must not contain commas/);
    expect(await run('tag', '1', '--db', 'w.sqlite')).toMatchObject({ code: 2 });
    expect((await run('tag', '7', '--add', 'x', '--db', 'w.sqlite')).stderr).toMatch(/no run with id 7/);
  });
});
