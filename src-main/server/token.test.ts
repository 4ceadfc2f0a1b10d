import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { servedToken, TOKEN_FILE } from './token.ts';

describe('servedToken', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-token-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a token in the data folder once and then keeps it', () => {
    const first = servedToken(dir);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[\w-]{32}$/);
    expect(fs.readFileSync(path.join(dir, TOKEN_FILE), 'utf8').trim()).toBe(first.token);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(servedToken(dir)).toEqual({ token: first.token, created: false });
  });

  it('rotates on request and replaces a damaged file', () => {
    const { token } = servedToken(dir);
    const rotated = servedToken(dir, true);
    expect(rotated.created).toBe(true);
    expect(rotated.token).not.toBe(token);
    expect(servedToken(dir).token).toBe(rotated.token);
    fs.writeFileSync(path.join(dir, TOKEN_FILE), 'not a token');
    const fresh = servedToken(dir);
    expect(fresh.created).toBe(true);
    expect(fresh.token).toMatch(/^[\w-]{32}$/);
  });
});
