/**
 * The layering of DEVELOPERS.md (its rules owned by layering.js, which ESLint reads too), checked on
 * every source file's imports (static, `export … from`, dynamic `import()`, and worker entry points as
 * `new URL('…', import.meta.url)`, which ESLint does not see), and no cycles between src-main's folders.
 * Tests are left out: they compose layers on purpose.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../layering.js';
import { WORKER_ENTRIES } from '../src-main/workers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE_ROOTS = ['src-shared', 'src-main', 'src-renderer/src'];
const SOURCE_EXT = /\.(ts|mts|mjs|vue)$/;

/** One import: the file it is in (relative to the repository), what it names, and what that resolves to. */
export interface ImportEdge {
  file: string;
  specifier: string;
  /** The file it resolves to (relative to the repository), or null for a package or built-in. */
  target: string | null;
}

/** Every module specifier `text` imports; comments are dropped first so examples in them do not count. */
export function specifiersOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]));
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (SOURCE_EXT.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
      out.push(rel);
  }
  return out;
}

/** Worker threads started by name (workers.ts): as an import of the entry's source, relative to the starting file. */
function workerSpecifiers(file: string, text: string): string[] {
  if (file === 'src-main/workers.ts') return [];
  return Object.entries(WORKER_ENTRIES)
    .filter(([name]) => new RegExp(`['"]${name}['"]`).test(text))
    .map(([, entry]) => {
      const rel = path.posix.relative(path.posix.dirname(file), `src-main/${entry}`);
      return rel.startsWith('.') ? rel : `./${rel}`;
    });
}

function repoImports(): ImportEdge[] {
  return SOURCE_ROOTS.flatMap(sourceFiles).flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return [...specifiersOf(text), ...workerSpecifiers(file, text)].map((specifier) => ({
      file,
      specifier,
      target: specifier.startsWith('.')
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
        : null,
    }));
  });
}

/** A layering.js glob (`src-main/engine/**`, or any test file) as a regular expression over repository paths. */
function globRegex(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${body.replace(/\.\*\//g, '(.*/)?')}$`);
}
const matches = (globs: readonly string[] | undefined, file: string) =>
  (globs ?? []).some((g) => globRegex(g).test(file));

/** The layer whose rules a file follows: the last that matches, as in ESLint's flat config. */
function layerOf(file: string): (typeof LAYERS)[number] | undefined {
  return LAYERS.filter((layer) => matches(layer.files, file) && !matches(layer.ignores, file)).at(-1);
}

/** The top-level folder of src-main a file is in (`engine`); a file directly in src-main is its own unit (`errors.ts`); null outside src-main. */
export function mainFolder(file: string): string | null {
  const parts = file.split('/');
  return parts[0] === 'src-main' ? parts[1] : null;
}

/** Every import that breaks layering.js's rules (worker entry points included), as `file: imports 'specifier' (why)`. */
export function layeringViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const broken = layerOf(e.file)?.forbidden.find(({ regex }) => regex.test(e.specifier));
    if (broken) out.push(`${e.file}: imports '${e.specifier}' (${broken.message})`);
  }
  return out;
}

/**
 * Cycles between src-main's top-level folders: each folder's shortest way back to itself (the same
 * cycle once), as `a → b → a` with the import that makes each step.
 */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    const from = mainFolder(e.file);
    const to = e.target === null ? null : mainFolder(e.target);
    if (!from || !to || from === to) continue;
    const out = graph.get(from) ?? new Map<string, ImportEdge>();
    graph.set(from, out);
    if (!out.has(to)) out.set(to, e);
  }
  const reach = (from: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [from];
    while (todo.length > 0) {
      for (const next of graph.get(todo.pop() as string)?.keys() ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
      }
    }
    return seen;
  };
  const reached = new Map([...graph.keys()].map((f) => [f, reach(f)]));
  const reported = new Set<string>();
  const cycles: string[] = [];
  for (const start of [...graph.keys()].sort()) {
    if (!reached.get(start)?.has(start)) continue;
    // The shortest way back to `start` (breadth first), naming the import of each step.
    const back = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0 && !back.has(start)) {
      const at = queue.shift() as string;
      for (const next of [...(graph.get(at)?.keys() ?? [])].sort()) {
        if (!back.has(next)) {
          back.set(next, at);
          queue.push(next);
        }
      }
    }
    const loop = [start];
    for (let at = back.get(start) as string; at !== start; at = back.get(at) as string) loop.unshift(at);
    loop.unshift(start);
    const steps = loop.slice(0, -1).map((f, i) => {
      const e = graph.get(f)?.get(loop[i + 1]) as ImportEdge;
      return `${e.file} imports '${e.specifier}'`;
    });
    const members = [...new Set(loop)].sort().join(' ');
    if (!reported.has(members)) cycles.push(`${loop.join(' → ')} (${steps.join('; ')})`);
    reported.add(members);
  }
  return cycles;
}

describe('architecture', () => {
  const edges = repoImports();

  it('reads the imports of every source file', () => {
    expect(edges.length).toBeGreaterThan(500);
    const files = new Set(edges.map((e) => e.file));
    for (const file of ['src-shared/config.ts', 'src-main/engine/run.ts', 'src-renderer/src/App.vue'])
      expect(files).toContain(file);
    // Worker threads started by name count as imports of their entry.
    expect(edges).toContainEqual({
      file: 'src-main/engine/score-pool.ts',
      specifier: './score-worker.ts',
      target: 'src-main/engine/score-worker.ts',
    });
  });

  it('keeps the layering: src-shared alone, the renderer apart from main, the engine, store and tb below the rest', () => {
    expect(layeringViolations(edges)).toEqual([]);
  });

  it('has no import cycles between the folders of src-main', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('names the file and the import that break a rule, and the imports that close a cycle', () => {
    const edge = (file: string, specifier: string, target: string | null = null): ImportEdge => ({
      file,
      specifier,
      target,
    });
    const why = (file: string, specifier: string) =>
      layerOf(file)?.forbidden.find(({ regex }) => regex.test(specifier))?.message;
    expect(
      layeringViolations([
        edge('src-shared/x.ts', 'node:fs'),
        edge('src-shared/y.ts', 'vue'),
        edge('src-shared/z.ts', '../src-main/errors.ts', 'src-main/errors.ts'),
        edge('src-renderer/src/a.ts', '../../src-main/api/handlers/index.ts', 'src-main/api/handlers/index.ts'),
        edge('src-main/engine/run.ts', '../store/run-store.ts', 'src-main/store/run-store.ts'),
        edge('src-main/engine/pool.ts', '../queue/w.ts', 'src-main/queue/w.ts'),
        edge('src-main/tb/run-logger.ts', '../store/x.ts', 'src-main/store/x.ts'),
        edge('src-main/store/run-store.ts', '../../src-shared/scalars.ts', 'src-shared/scalars.ts'),
        edge('src-main/engine/run.test.ts', '../cli/main.ts', 'src-main/cli/main.ts'),
      ]),
    ).toEqual([
      `src-shared/x.ts: imports 'node:fs' (${why('src-shared/x.ts', 'node:fs')})`,
      `src-shared/y.ts: imports 'vue' (${why('src-shared/y.ts', 'vue')})`,
      `src-shared/z.ts: imports '../src-main/errors.ts' (src-shared imports neither side.)`,
      `src-renderer/src/a.ts: imports '../../src-main/api/handlers/index.ts' (${why('src-renderer/src/a.ts', '../../src-main/x')})`,
      `src-main/engine/run.ts: imports '../store/run-store.ts' (${why('src-main/engine/run.ts', '../store/x')})`,
      `src-main/engine/pool.ts: imports '../queue/w.ts' (${why('src-main/engine/run.ts', '../store/x')})`,
      `src-main/tb/run-logger.ts: imports '../store/x.ts' (${why('src-main/tb/run-logger.ts', '../store/x')})`,
    ]);
    expect(
      folderCycles([
        edge('src-main/store/a.ts', '../tb/b.ts', 'src-main/tb/b.ts'),
        edge('src-main/tb/b.ts', '../store/c.ts', 'src-main/store/c.ts'),
      ]),
    ).toEqual([
      "store → tb → store (src-main/store/a.ts imports '../tb/b.ts'; src-main/tb/b.ts imports '../store/c.ts')",
    ]);
    expect(
      specifiersOf(
        "import a from './a.ts';\n// import b from './b.ts';\nexport { c } from './c.ts';\nconst w = new URL('./w.ts', import.meta.url);\nawait import('./d.ts');",
      ),
    ).toEqual(['./a.ts', './c.ts', './d.ts', './w.ts']);
  });
});
