import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkInput } from '../../test/support/off-thread-work.ts';
import { UserError } from '../errors.ts';
import { callOffThread } from './off-thread.ts';

const ENTRY = new URL('../../test/support/off-thread-work.ts', import.meta.url);

describe('off-thread work', () => {
  it('a worker that spins forever is terminated at its time limit with a clear error', async () => {
    const call = callOffThread<WorkInput, number>(ENTRY, { value: 1, spin: true }, { timeoutMs: 1500 });
    await expect(call).rejects.toBeInstanceOf(UserError);
    await expect(call).rejects.toThrow(/gave up after 2 s/);
  });

  it('is cancelled by its signal', async () => {
    const controller = new AbortController();
    const call = callOffThread<WorkInput, number>(ENTRY, { value: 1, spin: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(call).rejects.toThrow(/cancelled/);
  });

  it('identical requests in flight share one worker', async () => {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-offthread-')), 'log');
    const input = { value: 21, log };
    const answers = await Promise.all([1, 2, 3].map(() => callOffThread<WorkInput, number>(ENTRY, input)));
    expect(answers).toEqual([42, 42, 42]);
    expect(fs.readFileSync(log, 'utf8')).toBe('started\n');
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  });
});
