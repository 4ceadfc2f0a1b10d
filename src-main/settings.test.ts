import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings, writeSettings } from './settings.ts';

describe('settings.json', () => {
  const file = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-settings-')), 'settings.json');

  it('defaults to this machine when there is no file', () => {
    expect(readSettings(file())).toEqual({ queue: null });
  });

  it('round-trips the queue and keeps the file private (it may hold a Redis password)', () => {
    const f = file();
    writeSettings({ queue: 'redis://:pw@host:6379' }, f);
    expect(readSettings(f)).toEqual({ queue: 'redis://:pw@host:6379' });
    expect(fs.statSync(f).mode & 0o077).toBe(0);
    writeSettings({ queue: null }, f);
    expect(readSettings(f)).toEqual({ queue: null });
  });

  it('names the file when it is broken', () => {
    const f = file();
    fs.writeFileSync(f, '{"queue": ');
    expect(() => readSettings(f)).toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON`));
    fs.writeFileSync(f, '{"queue": "http://x"}');
    expect(() => readSettings(f)).toThrow(/scheme must be redis/);
    expect(() => writeSettings({ queue: 'ftp://x' }, f)).toThrow(/scheme must be redis/);
  });
});
