import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globFiles, globToRegExp } from './glob.ts';

describe('globToRegExp', () => {
  it('matches as pathlib does', () => {
    const m = (pattern: string, p: string) => globToRegExp(pattern).test(p);
    expect(m('**/*.pth', 'result.pth')).toBe(true);
    expect(m('**/*.pth', 'rep_1/result.pth')).toBe(true);
    expect(m('**/*.pth', 'a/b/c/x.pth')).toBe(true);
    expect(m('**/*.pth', 'a/b/x.pthx')).toBe(false);
    expect(m('rep_*/result.json', 'rep_3/result.json')).toBe(true);
    expect(m('rep_*/result.json', 'rep_3/x/result.json')).toBe(false);
    expect(m('run_?/r.pkl', 'run_1/r.pkl')).toBe(true);
    expect(m('run_?/r.pkl', 'run_10/r.pkl')).toBe(false);
    expect(m('run_[12]/r.pkl', 'run_2/r.pkl')).toBe(true);
    expect(m('run_[!12]/r.pkl', 'run_2/r.pkl')).toBe(false);
    expect(m('a.b(1)/x', 'a.b(1)/x')).toBe(true);
    expect(m('a.b/x', 'aXb/x')).toBe(false);
    expect(m('./**/x', 'q/x')).toBe(true);
  });
});

describe('globFiles', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-glob-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('walks folders and returns sorted absolute paths of matching files', async () => {
    for (const rel of ['rep_2/result.json', 'rep_1/result.json', 'rep_1/log.txt', 'other/deep/result.json']) {
      fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), '{}');
    }
    fs.mkdirSync(path.join(root, 'dir.json'));
    fs.symlinkSync(root, path.join(root, 'rep_1', 'loop'));
    expect(await globFiles(root, 'rep_*/result.json')).toEqual([
      path.join(root, 'rep_1/result.json'),
      path.join(root, 'rep_2/result.json'),
    ]);
    expect((await globFiles(root, '**/*.json')).map((f) => path.relative(root, f))).toEqual([
      'other/deep/result.json',
      'rep_1/result.json',
      'rep_2/result.json',
    ]);
  });
});
