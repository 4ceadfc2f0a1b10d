import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestCheckpoint, listCheckpoints, saveCheckpoint, type Checkpoint } from './checkpoint.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ckpt-unit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ckpt(runKey: string, epoch: number): Checkpoint {
  return { runKey, epoch, params: [new Float32Array([epoch])], optimizer: { step: epoch, buffers: [] }, rng: [1, 2, 3, 4], history: [], best: null };
}

describe('checkpoints of runs sharing a folder', () => {
  it('each run prunes and finds its own files only', () => {
    const shared = path.join(dir, 'shared');
    for (let e = 1; e <= 3; e++) saveCheckpoint(shared, ckpt('run-a', e), 2);
    for (let e = 1; e <= 4; e++) saveCheckpoint(shared, ckpt('run-b', e), 1);
    expect(listCheckpoints(shared, 'run-a').map((c) => c.epoch)).toEqual([2, 3]);
    expect(listCheckpoints(shared, 'run-b').map((c) => c.epoch)).toEqual([4]);
    expect(latestCheckpoint(shared, 'run-a')?.epoch).toBe(3);
    expect(latestCheckpoint(shared, 'run-c')).toBeNull();
  });

  it("an untagged (older) checkpoint of another run is ignored with a warning, one of this run's is resumed", () => {
    const old = path.join(dir, 'old');
    const file = saveCheckpoint(old, ckpt('run-a', 7), 2);
    fs.renameSync(file, path.join(old, 'epoch-0007.ckpt.json'));
    const warnings: string[] = [];
    expect(latestCheckpoint(old, 'run-b', (m) => void warnings.push(m))).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/different run .* ignored/)]);
    expect(latestCheckpoint(old, 'run-a')?.epoch).toBe(7);
  });
});
