/**
 * The layering rules of eslint.config.js fire on imports against DEVELOPERS.md's rules and stay quiet
 * on the imports the code makes. Files are linted as text under made-up paths, so nothing is written.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

/** The rules that report on `code` as if it were the file at `filePath`. */
async function rulesHit(filePath: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId);
}

const IMPORTS = 'no-restricted-imports';
const DYNAMIC = 'no-restricted-syntax';
const GLOBALS = 'no-restricted-globals';

describe('layering rules', () => {
  it.each([
    ['src-shared/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n", IMPORTS],
    ['src-shared/x.ts', "import { join } from 'path';\nexport const f = join;\n", IMPORTS],
    ['src-shared/x.ts', "import { readFile } from 'fs/promises';\nexport const f = readFile;\n", IMPORTS],
    [
      'src-shared/export/x.ts',
      "import { RunStore } from '../../src-main/store/run-store.ts';\nexport const s = RunStore;\n",
      IMPORTS,
    ],
    ['src-shared/x.ts', "export { api } from '../src-renderer/src/api/client.ts';\n", IMPORTS],
    ['src-shared/x.ts', "import { ref } from 'vue';\nexport const r = ref(1);\n", IMPORTS],
    ['src-shared/x.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n", IMPORTS],
    ['src-shared/x.ts', 'export const w = window.innerWidth;\n', GLOBALS],
    ['src-shared/x.ts', "export const v = localStorage.getItem('k');\n", GLOBALS],
    ['src-shared/x.ts', 'export const n = navigator.language;\n', GLOBALS],
    ['src-shared/x.ts', 'export const e = process.env.HOME;\n', GLOBALS],
    [
      'src-renderer/src/x.ts',
      "import { openDb } from '../../src-main/store/db.ts';\nexport const o = openDb;\n",
      IMPORTS,
    ],
    ['src-renderer/src/x.ts', "export const m = () => import('../../src-main/store/db.ts');\n", DYNAMIC],
    ['src-renderer/src/x.ts', "import os from 'node:os';\nexport const o = os;\n", IMPORTS],
    [
      'src-renderer/src/views/ProbeView.vue',
      '<script setup lang="ts">\nimport { openDb } from \'../../../src-main/store/db.ts\';\nconsole.log(openDb);\n</script>\n',
      IMPORTS,
    ],
    ['src-main/engine/x.ts', "import { openDb } from '../store/db.ts';\nexport const o = openDb;\n", IMPORTS],
    ['src-main/engine/x.ts', "import type { Api } from '../api/workbench.ts';\nexport type A = Api;\n", IMPORTS],
    ['src-main/engine/x.ts', "export const q = () => import('../queue/queue.ts');\n", DYNAMIC],
    [
      'src-main/engine/x.ts',
      "import { recordRun } from '../runs/recorded-run.ts';\nexport const r = recordRun;\n",
      IMPORTS,
    ],
    ['src-main/tb/x.ts', "import { RunStore } from '../store/run-store.ts';\nexport const s = RunStore;\n", IMPORTS],
    ['src-main/tb/x.ts', "import { trainRun } from '../engine/run.ts';\nexport const t = trainRun;\n", IMPORTS],
    ['src-main/store/x.ts', "import { trainRun } from '../engine/run.ts';\nexport const t = trainRun;\n", IMPORTS],
    ['src-main/store/x.ts', "import { RunQueue } from '../queue/queue.ts';\nexport const q = RunQueue;\n", IMPORTS],
    [
      'src-main/api/handlers/x.ts',
      "import { App } from '../../../src-renderer/src/App.vue';\nexport const a = App;\n",
      IMPORTS,
    ],
  ])('%s: %j is an error', async (filePath, code, rule) => {
    expect(await rulesHit(filePath, code)).toEqual([rule]);
  });

  it.each([
    ['src-shared/x.ts', "import { SPLITS } from './dataset.ts';\nexport const s = SPLITS;\n"],
    ['src-shared/x.ts', 'export const t = performance.now() + structuredClone(1);\n'],
    [
      'src-renderer/src/x.ts',
      "import type { Api } from '../../src-shared/api.ts';\nexport const w = (a: Api) => [a, window.innerWidth];\n",
    ],
    [
      'src-main/engine/x.ts',
      "import fs from 'node:fs';\nimport { loadDataset } from '../data/dataset.ts';\nexport const l = [fs, loadDataset];\n",
    ],
    [
      'src-main/store/x.ts',
      "import { SPLITS } from '../../src-shared/dataset.ts';\nimport { readPickle } from '../formats/pickle.ts';\nexport const s = [SPLITS, readPickle];\n",
    ],
    [
      'src-main/api/handlers/x.ts',
      "import { RunStore } from '../../store/run-store.ts';\nimport { trainRun } from '../../engine/run.ts';\nexport const h = [RunStore, trainRun];\n",
    ],
    [
      'src-main/runs/x.ts',
      "import { trainRun } from '../engine/run.ts';\nimport { RunEventLogger } from '../tb/run-logger.ts';\nexport const r = [trainRun, RunEventLogger];\n",
    ],
    ['src-main/engine/x.test.ts', "import { main } from '../cli/main.ts';\nexport const m = main;\n"],
  ])('%s: %j is clean', async (filePath, code) => {
    expect(await rulesHit(filePath, code)).toEqual([]);
  });
});

describe('code rules', () => {
  it('`any` is an error', async () => {
    expect(await rulesHit('src-main/api/x.ts', 'export function f(x: any) {\n  return x;\n}\n')).toEqual([
      '@typescript-eslint/no-explicit-any',
    ]);
  });
});
