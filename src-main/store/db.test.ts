import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { nativeBindingOption, openDb } from './db.ts';

const require = createRequire(import.meta.url);
const nodeBuild = path.join(
  path.dirname(require.resolve('better-sqlite3/package.json')),
  'build',
  'Release',
  'better_sqlite3.node',
);

describe('the addon the store loads', () => {
  const saved = process.env.ALPHANET_SQLITE_BINDING;
  afterEach(() => {
    if (saved === undefined) delete process.env.ALPHANET_SQLITE_BINDING;
    else process.env.ALPHANET_SQLITE_BINDING = saved;
  });

  it("is better-sqlite3's own build unless ALPHANET_SQLITE_BINDING names another", () => {
    expect(nativeBindingOption({})).toEqual({});
    expect(nativeBindingOption({ ALPHANET_SQLITE_BINDING: nodeBuild })).toEqual({ nativeBinding: nodeBuild });
  });

  it('opens a database through a copy of the addon named by ALPHANET_SQLITE_BINDING', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binding-'));
    const copy = path.join(dir, 'copy.node');
    fs.copyFileSync(nodeBuild, copy);
    process.env.ALPHANET_SQLITE_BINDING = copy;
    const db = openDb(path.join(dir, 'w.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('names the variable and the missing file instead of failing inside the addon loader', () => {
    process.env.ALPHANET_SQLITE_BINDING = '/nowhere/better_sqlite3.node';
    expect(() => openDb(':memory:')).toThrow(UserError);
    expect(() => openDb(':memory:')).toThrow(/\/nowhere\/better_sqlite3.node: ALPHANET_SQLITE_BINDING names no file/);
  });
});
