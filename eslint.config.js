/**
 * `npm run lint` (with Prettier's check): the recommended rule sets and the import layering of
 * layering.js. Each layer's list feeds both static imports (`no-restricted-imports`) and literal
 * dynamic `import()`s (`no-restricted-syntax`), which the former does not see.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { LAYERS } from './layering.js';

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
