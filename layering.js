/**
 * The import layering of DEVELOPERS.md, owned here: each layer lists what it must not import, by folder
 * name, so the rules hold wherever a file sits inside its layer. Two readers: `eslint.config.js` (as you
 * edit, `npm run lint`) and `test/architecture.test.ts` (also worker entry points, which ESLint does not
 * see as imports, and cycles between src-main's folders).
 */
import { builtinModules } from 'node:module';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const anyOf = (names) => names.map(escape).join('|');

/** A forbidden import: `regex` is tested against the import's specifier. */
const forbid = (regex, message) => ({ regex, message });

const NODE_BUILTINS = forbid(
  new RegExp(`^(node:|(${anyOf(builtinModules)})(/|$))`),
  'Node built-ins run only in src-main: this layer must also run in the browser.',
);
/** npm packages that need Node or Electron. */
const NODE_PACKAGES = forbid(
  /^(electron|better-sqlite3|bullmq|ioredis|@tensorflow\/tfjs-node(-gpu)?)(\/|$)/,
  'This package needs Node or Electron: only src-main may import it.',
);
const DOM_PACKAGES = forbid(
  /^(vue|pinia|echarts|vue-echarts|@vue\/[^/]+)(\/|$)/,
  'DOM-only packages belong to src-renderer: src-shared runs in the main process too.',
);
const side = (folder, message) => forbid(new RegExp(`(^|/)${folder}(/|$)`), message);
const MAIN = side('src-main', 'Nothing outside src-main imports it: the renderer talks to it through the API client.');
const RENDERER = side('src-renderer', 'Nothing outside src-renderer imports the UI.');
/** Sibling folders of src-main, reached by `../` (or `../src-main/`) from inside another folder of it. */
const mainFolders = (folders, message) =>
  forbid(new RegExp(`^(\\.\\./)+(src-main/)?(${anyOf(folders)})(/|$)`), message);

/** Tests may drive a layer through the outer ones (the engine's replay test runs the CLI). */
const TESTS = ['**/*.test.ts'];

/**
 * What each layer must not import. A file gets the last matching layer's whole list (a later block
 * replaces a rule's options), so inner layers repeat what the outer ones forbid.
 */
export const LAYERS = [
  {
    files: ['src-shared/**'],
    forbidden: [
      NODE_BUILTINS,
      NODE_PACKAGES,
      DOM_PACKAGES,
      side('src-main', 'src-shared imports neither side.'),
      side('src-renderer', 'src-shared imports neither side.'),
    ],
  },
  { files: ['src-renderer/**'], forbidden: [NODE_BUILTINS, NODE_PACKAGES, MAIN] },
  { files: ['src-main/**'], forbidden: [RENDERER] },
  {
    files: ['src-main/engine/**'],
    ignores: TESTS,
    forbidden: [
      RENDERER,
      mainFolders(
        ['store', 'api', 'queue', 'server', 'cli', 'electron', 'distributed', 'runs', 'results'],
        'The engine knows nothing of the store, the API, queues or the UI: they call it, not the reverse.',
      ),
      forbid(/^electron(\/|$)/, 'The engine runs outside Electron (CLI, workers).'),
    ],
  },
  {
    files: ['src-main/tb/**'],
    ignores: TESTS,
    forbidden: [
      RENDERER,
      mainFolders(
        ['store', 'api', 'engine', 'queue', 'runs', 'server', 'cli', 'electron', 'distributed', 'results'],
        'TensorBoard writing is a leaf: it takes records, it does not reach into the store or the engine.',
      ),
    ],
  },
  {
    files: ['src-main/store/**'],
    ignores: TESTS,
    forbidden: [
      RENDERER,
      mainFolders(
        ['engine', 'api', 'queue', 'runs', 'cli', 'server', 'electron', 'distributed', 'tb', 'results'],
        'The store persists runs; what trains or serves them (runs/, api/, queue/…) uses it, not the reverse.',
      ),
    ],
  },
];
