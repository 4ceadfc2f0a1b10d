/**
 * A real full and read-only disk: a 16 MiB tmpfs (needs root and `mount`; skipped with a message
 * otherwise). A CLI run whose disk fills mid-training must end with one line naming the folder, leave
 * every recorded run intact and readable, be marked interrupted and resume once there is space.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCachedDatagrp } from '../../src-main/data/cache.ts';
import { hasRoomFor } from '../../src-main/files.ts';
import { RunQueue } from '../../src-main/queue/queue.ts';
import { openDb } from '../../src-main/store/db.ts';
import { defaultRunConfig } from '../../src-shared/config.ts';
import { RunStore } from '../../src-main/store/run-store.ts';
import { SMALL_SHAPE, syntheticResult } from '../../src-main/store/test-records.ts';
import { TINYLT_TOML } from './crash-config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-fulldisk-'));

function tryMount(): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
}
const mountProblem = tryMount();
if (mountProblem) console.warn(`full-disk tests skipped: cannot mount a small tmpfs (${mountProblem}); they need root`);

afterAll(() => {
  if (!mountProblem) execFileSync('umount', [mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

const db = path.join(mountPoint, 'w.sqlite');
const env = { ...process.env, ALPHANET_DATA_DIR: path.join(mountPoint, 'app') };

/** Runs the CLI in its own process (as a user would), optionally calling `during` once stdout matches `when`. */
function cli(
  args: string[],
  during?: { when: RegExp; then: () => void },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/alphanet.mjs', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let fired = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (during && !fired && during.when.test(stdout)) {
      fired = true;
      during.then();
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Fills the file system to the last byte. */
function fill(): void {
  const fd = fs.openSync(path.join(mountPoint, 'filler'), 'w');
  const block = Buffer.alloc(4096);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
}

describe.skipIf(mountProblem !== null)('a full or read-only disk', () => {
  let recorded: ReturnType<typeof syntheticResult>;

  beforeAll(() => {
    // A run recorded before the disk fills, to be found intact after.
    const handle = openDb(db);
    const store = new RunStore(handle);
    recorded = syntheticResult('tinylt_synth', 3, SMALL_SHAPE);
    const id = store.createRun({ kind: 'train', config: recorded.config, seed: 3, status: 'running' });
    for (const rec of recorded.epochs) store.recordEpoch(id, rec);
    store.finishRun(id, { result: recorded });
    handle.close();
  });

  it('a run whose disk fills ends in one line, is interrupted, every run stays readable, and it resumes after', async () => {
    const train = [
      'train',
      '--dataset',
      'tinylt_synth',
      '--config',
      TINYLT_TOML,
      '--db',
      db,
      '--backend',
      'cpu',
      '--seed',
      '5',
      '--no-cache',
      '--training:train-epochs',
      '150',
      '--training:n-neighbors',
      '3',
      '--training:min-epochs',
      '1',
    ];
    const full = await cli(train, { when: /^epoch 2\//m, then: fill });
    expect(full.code, full.stderr).toBe(1);
    // (The cpu backend's banner aside, which is tfjs's own.)
    const lines = full.stderr
      .trim()
      .split('\n')
      .filter((l) => /^alphanet|error|^\s+at /i.test(l));
    expect(lines, full.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^alphanet train: ${mountPoint}\\S*: the disk is full \\((SQLITE_FULL|ENOSPC)\\); free some space there\\. Run 2 is interrupted; resume it with \`alphanet resume 2\``,
      ),
    );

    // Still on the full disk: every recorded run is listed and exported exactly.
    const runs = await cli(['runs', '--db', db]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(/^\s*1 .* done /m);
    expect(runs.stdout).toMatch(/^\s*2 .* interrupted /m);
    const exported = await cli(['export-run', '1', '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).test).toEqual(JSON.parse(JSON.stringify(recorded.test)));

    // Space again: it resumes from its checkpoint to the end.
    fs.rmSync(path.join(mountPoint, 'filler'));
    const resumed = await cli(['resume', '2', '--db', db, '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toMatch(/^epoch 1\//m);
    expect(resumed.stdout).toMatch(/run 2 done/);
  });

  it('served mode: a queued run whose disk fills becomes interrupted, announced, and the queue keeps serving', async () => {
    fs.rmSync(path.join(mountPoint, 'filler'), { force: true });
    const queue = new RunQueue({ dbFile: db, backend: 'cpu' });
    try {
      const config = defaultRunConfig('tinylt_synth');
      Object.assign(config.training, { train_epochs: 150, n_neighbors: 3, min_epochs: 1 });
      const statuses: string[] = [];
      const ended = new Promise<void>((resolve) =>
        queue.on('status', (e) => {
          statuses.push(e.status);
          if (e.status !== 'queued' && e.status !== 'running') resolve();
        }),
      );
      let filled = false;
      queue.on('epoch', () => {
        if (filled) return;
        filled = true;
        fill();
      });
      const id = queue.enqueue({ config, seed: 9, datasetConfig: TINYLT_TOML });
      queue.start();
      await ended;
      expect(statuses.at(-1)).toBe('interrupted');
      expect(queue.store.requireRun(id).status).toBe('interrupted');
      expect(queue.store.listRuns({}).length).toBeGreaterThanOrEqual(3);
    } finally {
      await queue.close();
      fs.rmSync(path.join(mountPoint, 'filler'), { force: true });
    }
  });

  it('a cache is not written where it would leave less than its headroom free', () => {
    expect(hasRoomFor(mountPoint, 0)).toBe(false);
    expect(hasRoomFor(os.tmpdir(), 0)).toBe(true);
    const data = { feats: new Float32Array(16), labels: new Int32Array(4), n: 4, dim: 4, shards: [] };
    const warning = writeCachedDatagrp(path.join(mountPoint, 'cache'), '/features', 'train', [], data);
    expect(warning).toMatch(/not enough free space in .* for the converted cache/);
    expect(
      fs.readdirSync(path.join(mountPoint, 'cache'), { recursive: true }).filter((f) => String(f).endsWith('.bin')),
    ).toEqual([]);
  });

  it('a read-only folder: reading commands read a copy (with a note), writing ones end in one line naming it', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const runs = await cli(['runs', '--db', db]);
      expect(runs.code, runs.stderr).toBe(0);
      expect(runs.stderr.trim()).toMatch(
        new RegExp(`^note: ${mountPoint} cannot be written \\(\\w+\\); reading a copy of the database$`),
      );
      expect(runs.stdout).toMatch(/^\s*1 .* done /m);
      const exported = await cli(['export-run', '1', '--db', db]);
      expect(JSON.parse(exported.stdout).test).toEqual(JSON.parse(JSON.stringify(recorded.test)));
      const resume = await cli(['resume', '2', '--db', db]);
      expect(resume.code).toBe(1);
      expect(resume.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^alphanet resume: ${mountPoint}: (the folder is read-only|no permission to write there) \\(\\w+\\); `,
          ),
        ),
      ]);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });
});
