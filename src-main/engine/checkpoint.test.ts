import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkpointFile,
  latestCheckpoint,
  latestCheckpointText,
  listCheckpoints,
  saveCheckpoint,
  writeCheckpointText,
  type Checkpoint,
} from './checkpoint.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ckpt-unit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ckpt(runKey: string, epoch: number): Checkpoint {
  return {
    runKey,
    epoch,
    params: [new Float32Array([epoch])],
    optimizer: { step: epoch, buffers: [] },
    rng: [1, 2, 3, 4],
    history: [],
    best: null,
  };
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

describe('checkpoints travelling between machines', () => {
  let n = 0;
  const fresh = () => fs.mkdirSync(path.join(dir, `travel-${++n}`), { recursive: true }) as string;

  it('are written under their own name, and the newest of the run is kept n deep', () => {
    const d = fresh();
    for (const epoch of [1, 2, 3]) {
      const name = path.basename(checkpointFile(d, epoch, 'run-a'));
      writeCheckpointText(d, { epoch, name, text: `{"epoch":${epoch}}` }, 2);
    }
    const other = path.basename(checkpointFile(d, 9, 'run-b'));
    writeCheckpointText(d, { epoch: 9, name: other, text: '{}' }, 2);
    expect(listCheckpoints(d, 'run-a').map((c) => c.epoch)).toEqual([2, 3]);
    expect(listCheckpoints(d, 'run-b').map((c) => c.epoch)).toEqual([9]);
    expect(latestCheckpointText(d)).toEqual({ epoch: 9, name: other, text: '{}' });
  });

  it('refuse a name that is not a checkpoint file of that epoch (it comes over the network)', () => {
    const d = fresh();
    for (const name of ['../../evil.ckpt.json', 'epoch-0001.ckpt.json/../x', 'notes.txt', 'epoch-0002.ckpt.json']) {
      expect(() => writeCheckpointText(d, { epoch: 1, name, text: '{}' }, 2)).toThrow(
        /is not the name of an epoch-1 checkpoint/,
      );
    }
    expect(fs.readdirSync(d)).toEqual([]);
  });
});
