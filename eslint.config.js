/**
 * `npm run lint` (with Prettier's check). Besides the recommended rule sets, this file owns the import
 * layering of DEVELOPERS.md: each layer lists what it must not import, by folder name, so the rules hold
 * wherever a file sits inside its layer. Each list feeds both static imports (`no-restricted-imports`)
 * and literal dynamic `import()`s (`no-restricted-syntax`), which the former does not see.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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

/**
 * Until issue 17's folder moves land (recorded-run.ts to src-main/runs/, import-original.ts to
 * src-main/results/): they train and import runs, so they use the engine. Delete with the move.
 */
const LEAVING_STORE = ['src-main/store/recorded-run.ts', 'src-main/store/import-original.ts'];
/** Tests may drive a layer through the outer ones (the engine's replay test runs the CLI). */
const TESTS = ['**/*.test.ts'];

/**
 * What each layer must not import. A file gets the last matching layer's whole list (a later block
 * replaces a rule's options), so inner layers repeat what the outer ones forbid.
 */
const LAYERS = [
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
    ignores: [...TESTS, ...LEAVING_STORE],
    forbidden: [
      RENDERER,
      mainFolders(
        ['engine', 'api', 'queue', 'runs', 'cli', 'server', 'electron', 'distributed', 'tb', 'results'],
        'The store persists runs; what trains or serves them (runs/, api/, queue/…) uses it, not the reverse.',
      ),
    ],
  },
];

/** Globals of only one side, named by the `globals` package: src-shared may use neither. */
const onlyIn = (env, other) => Object.keys(env).filter((name) => !(name in other) && !(name in globals.builtin));
// Node after 20 (the workbench's minimum) also has storage and `navigator`; src-shared must not rely on them.
const DOM_GLOBALS = [
  ...onlyIn(globals.browser, globals.node),
  'localStorage',
  'sessionStorage',
  'Storage',
  'navigator',
  'Navigator',
];
const NODE_GLOBALS = onlyIn(globals.node, globals.browser);
const restrictGlobals = (names, message) => names.map((name) => ({ name, message }));

const layering = LAYERS.map(({ files, ignores, forbidden }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map(({ regex, message }) => ({ regex: regex.source, message })) },
    ],
    'no-restricted-syntax': [
      'error',
      ...forbidden.map(({ regex, message }) => ({
        selector: `ImportExpression > Literal[value=/${regex.source}/]`,
        message,
      })),
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      '.cache/',
      'test-results/',
      'bench/.data/',
      'test/fixtures/',
      'resources/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  // Everything but the renderer runs on Node.
  { ignores: ['src-renderer/**'], languageOptions: { globals: { ...globals.node } } },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `const { omitted: _omitted, ...rest } = x` is how the code drops fields from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // `let [ds, ms] = await timed(…)` with only `ds` released later (benchmarks) stays one statement.
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  ...layering,
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(DOM_GLOBALS, 'src-shared runs in Node too: no DOM globals.'),
        ...restrictGlobals(NODE_GLOBALS, 'src-shared runs in the browser too: no Node globals.'),
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-globals': ['error', ...restrictGlobals(NODE_GLOBALS, 'The renderer has no Node globals.')],
    },
  },
  prettier,
);
