/**
 * The layering of DEVELOPERS.md, checked on every source file's imports (static, `export … from`,
 * dynamic `import()`, and worker entry points as `new URL('…', import.meta.url)`). Tests are left out:
 * they compose layers on purpose.
 */
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

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
    else if (SOURCE_EXT.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function repoImports(): ImportEdge[] {
  return SOURCE_ROOTS.flatMap(sourceFiles).flatMap((file) =>
    specifiersOf(fs.readFileSync(path.join(ROOT, file), 'utf8')).map((specifier) => ({
      file,
      specifier,
      target: specifier.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : null,
    })),
  );
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]);
/** Packages that need a browser page (a DOM, a Vue app). */
const DOM_PACKAGES = ['vue', 'pinia', 'echarts', 'vue-router', '@vue/'];
const isDomPackage = (specifier: string) => DOM_PACKAGES.some((p) => specifier === p || specifier.startsWith(p.endsWith('/') ? p : `${p}/`));

/** The top-level folder of src-main a file is in (`engine`); a file directly in src-main is its own unit (`errors.ts`); null outside src-main. */
export function mainFolder(file: string): string | null {
  const parts = file.split('/');
  return parts[0] === 'src-main' ? parts[1] : null;
}

/** Which src-main folders each src-main folder must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  engine: ['store', 'api', 'queue', 'runs', 'server', 'cli', 'electron', 'distributed'],
  store: ['engine', 'api', 'queue', 'runs', 'cli', 'server'],
  tb: ['store', 'api', 'engine', 'queue', 'runs'],
};

/** Every import that breaks the layering, as `file: imports 'specifier' (why)`. */
export function layeringViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  const flag = (e: ImportEdge, why: string) => out.push(`${e.file}: imports '${e.specifier}' (${why})`);
  for (const e of edges) {
    if (e.file.startsWith('src-shared/')) {
      if (isNodeBuiltin(e.specifier)) flag(e, 'src-shared uses no Node built-ins');
      else if (isDomPackage(e.specifier)) flag(e, 'src-shared uses no DOM-only module');
      else if (e.target !== null && !e.target.startsWith('src-shared/')) flag(e, 'src-shared imports neither side');
    }
    if (e.file.startsWith('src-renderer/') && e.target?.startsWith('src-main/')) flag(e, 'the renderer never imports src-main');
    const from = mainFolder(e.file);
    const to = e.target === null ? null : mainFolder(e.target);
    if (from && e.target?.startsWith('src-renderer/')) flag(e, 'src-main never imports the renderer');
    if (from && to && FORBIDDEN[from]?.includes(to)) flag(e, `${from}/ imports nothing from ${FORBIDDEN[from].join(', ')}`);
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
    for (const file of ['src-shared/config.ts', 'src-main/engine/run.ts', 'src-renderer/src/App.vue']) expect(files).toContain(file);
    // Worker entry points count as imports.
    expect(edges).toContainEqual({ file: 'src-main/engine/score-pool.ts', specifier: './score-worker.ts', target: 'src-main/engine/score-worker.ts' });
  });

  it('keeps the layering: src-shared alone, the renderer apart from main, the engine, store and tb below the rest', () => {
    expect(layeringViolations(edges)).toEqual([]);
  });

  it('has no import cycles between the folders of src-main', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('names the file and the import that break a rule, and the imports that close a cycle', () => {
    const edge = (file: string, specifier: string, target: string | null = null): ImportEdge => ({ file, specifier, target });
    expect(
      layeringViolations([
        edge('src-shared/x.ts', 'node:fs'),
        edge('src-shared/y.ts', 'vue'),
        edge('src-shared/z.ts', '../src-main/errors.ts', 'src-main/errors.ts'),
        edge('src-renderer/src/a.ts', '../../src-main/api/handlers.ts', 'src-main/api/handlers.ts'),
        edge('src-main/engine/run.ts', '../store/run-store.ts', 'src-main/store/run-store.ts'),
        edge('src-main/tb/run-logger.ts', '../store/scalars.ts', 'src-main/store/scalars.ts'),
        edge('src-main/store/run-store.ts', '../tb/scalars.ts', 'src-main/tb/scalars.ts'),
      ]),
    ).toEqual([
      "src-shared/x.ts: imports 'node:fs' (src-shared uses no Node built-ins)",
      "src-shared/y.ts: imports 'vue' (src-shared uses no DOM-only module)",
      "src-shared/z.ts: imports '../src-main/errors.ts' (src-shared imports neither side)",
      "src-renderer/src/a.ts: imports '../../src-main/api/handlers.ts' (the renderer never imports src-main)",
      "src-main/engine/run.ts: imports '../store/run-store.ts' (engine/ imports nothing from store, api, queue, runs, server, cli, electron, distributed)",
      "src-main/tb/run-logger.ts: imports '../store/scalars.ts' (tb/ imports nothing from store, api, engine, queue, runs)",
    ]);
    expect(
      folderCycles([
        edge('src-main/store/a.ts', '../tb/b.ts', 'src-main/tb/b.ts'),
        edge('src-main/tb/b.ts', '../store/c.ts', 'src-main/store/c.ts'),
      ]),
    ).toEqual(["store → tb → store (src-main/store/a.ts imports '../tb/b.ts'; src-main/tb/b.ts imports '../store/c.ts')"]);
    expect(specifiersOf("import a from './a.ts';\n// import b from './b.ts';\nexport { c } from './c.ts';\nconst w = new URL('./w.ts', import.meta.url);\nawait import('./d.ts');")).toEqual(
      ['./a.ts', './c.ts', './d.ts', './w.ts'],
    );
  });
});
