import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// Inside the checkout: the bundle imports its packages from node_modules.
const cache = path.join(ROOT, 'node_modules', '.cache', `alphanet-cli-test-${process.pid}`);
afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

function cli(env: Record<string, string>, ...argv: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'alphanet.mjs'), ...argv], {
    // No app build (out/main) here, whether or not the checkout has a current one: this is the cache's test.
    env: { ...process.env, ALPHANET_CLI_CACHE: cache, ALPHANET_CLI_BUILD: path.join(cache, 'no-app-build'), ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const current = () =>
  JSON.parse(fs.readFileSync(path.join(cache, 'current.json'), 'utf8')) as {
    dir: string;
    built: number;
    inputs: string[];
  };

describe('bin/alphanet.mjs compile cache', () => {
  it('bundles the CLI once, reuses the bundle, rebuilds when a source is newer, and answers as the sources do', () => {
    const built = cli({}, 'validate', '--help');
    expect(built.code).toBe(0);
    const first = current();
    expect(first.inputs).toContain(path.join('src-main', 'cli', 'main.ts'));
    expect(first.inputs.some((f) => f.includes('node_modules'))).toBe(false);
    expect(fs.existsSync(path.join(cache, first.dir, 'main.js'))).toBe(true);

    expect(cli({}, 'validate', '--help').out).toBe(built.out);
    expect(current().dir).toBe(first.dir);

    // As if every source had changed after the build.
    fs.writeFileSync(path.join(cache, 'current.json'), JSON.stringify({ ...first, built: 0 }));
    expect(cli({}, 'validate', '--help').out).toBe(built.out);
    expect(current().dir).not.toBe(first.dir);

    const fromSource = cli({ ALPHANET_CLI_FROM_SOURCE: '1' }, 'validate', '--help');
    expect(fromSource.out).toBe(built.out);
  });

  it('keeps module-relative paths of the sources (package.json, resources) in the bundle', () => {
    const demo = cli({}, 'validate', '--dataset', 'demo');
    expect(demo.code).toBe(0);
  });
});
