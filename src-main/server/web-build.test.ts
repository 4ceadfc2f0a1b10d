import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRoot } from '../paths.ts';
import { ensureWebBuild, hasWebBuild } from './web-build.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-web-build-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the web UI alphanet serve hands out', () => {
  it('says the one command when it is neither built nor buildable, and builds nothing', () => {
    const bare = path.join(tmp, 'installed');
    const lines: string[] = [];
    expect(() => ensureWebBuild(bare, (l) => lines.push(l))).toThrow(
      new RegExp(
        `the web UI is not built \\(${path.join(bare, 'out', 'renderer')}\\) and cannot be built here \\(missing .*vite\\.web\\.config\\.ts.*\\)\\. Build it with \`npm run build:web\`.*\`alphanet serve --api-only\``,
      ),
    );
    expect(lines).toEqual([]);
    expect(fs.existsSync(bare)).toBe(false);
  });

  it('builds it from the sources when missing, once', () => {
    const out = path.join(tmp, 'renderer');
    const lines: string[] = [];
    expect(ensureWebBuild(appRoot(), (l) => lines.push(l), out)).toBe(out);
    expect(hasWebBuild(out)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('<script type="module"');
    expect(lines).toEqual([
      `alphanet serve: the web UI is not built yet; building it (npm run build:web) into ${out}…`,
    ]);
    expect(ensureWebBuild(appRoot(), (l) => lines.push(l), out)).toBe(out);
    expect(lines).toHaveLength(1);
  });
});
