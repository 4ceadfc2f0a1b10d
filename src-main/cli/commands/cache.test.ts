import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CacheEntry } from '../../data/cache-admin.ts';
import type { CliIO } from '../command.ts';
import { main } from '../main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CONFIG = path.join(ROOT, 'test', 'fixtures', 'tinylt', 'datasets.toml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-cache-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`), isTTY: false, cwd: ROOT };
  return { code: await main(argv, io), out };
}

describe('alphanet cache', () => {
  it('lists what a run cached (converted features with their sources, scores, neighbours) and clears it', async () => {
    const cache = path.join(tmp, 'cache');
    const train = await cli(
      'train',
      '--dataset',
      'tinylt_synth',
      '--config',
      CONFIG,
      '--cache-dir',
      cache,
      '--db',
      path.join(tmp, 'db.sqlite'),
      '--seed',
      '1',
      '--training:train-epochs',
      '1',
      '--training:min-epochs',
      '1',
      '--backend',
      'wasm',
    );
    expect(train.code).toBe(0);
    const listed = await cli('cache', '--cache-dir', cache, '--json');
    const { entries } = JSON.parse(listed.out) as { entries: CacheEntry[] };
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(['features', 'scores', 'nns']));
    const features = entries.filter((e) => e.kind === 'features');
    expect(features.flatMap((e) => e.sources.map((s) => path.basename(s))).sort()).toEqual([
      'test.pkl',
      'train.pkl',
      'val.pkl',
    ]);
    const total = entries.reduce((s, e) => s + e.bytes, 0);
    expect(total).toBeGreaterThan(
      fs.statSync(path.join(ROOT, 'test', 'fixtures', 'tinylt', 'features', 'synth', 'train.pkl')).size,
    );
    expect((await cli('cache', '--cache-dir', cache)).out).toMatch(
      /^cache .*: \d+ entries, [\d.]+ MB\n\s+[\d.]+ MB {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}(features|scores|nns)\//,
    );

    const cleared = await cli('cache', '--cache-dir', cache, '--clear');
    expect(cleared.out).toContain(`${(total / 1e6).toFixed(1)} MB freed`);
    expect(fs.readdirSync(cache)).toEqual([]);
    expect(JSON.parse((await cli('cache', '--cache-dir', cache, '--json')).out).entries).toEqual([]);
    expect((await cli('cache', '--list', '--clear')).code).toBe(2);
  });
});
