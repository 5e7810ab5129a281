// Lint rules, including the one-way layering of src/ (DESIGN section 3):
// views -> runs/exports/store/client -> protocol -> engine; the engine imports no other folder.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const folder = (name) => ({ group: [`**/${name}/**`, `**/${name}`, `../${name}/*`, `../../${name}/*`], message: `this folder must not import from src/${name}` });
// A model's descriptor lazily imports its trainer; a trainer (or anything else) importing a descriptor back
// makes the bundler duplicate tfjs into a second chunk of the worker. Only the registry imports descriptors.
const descriptors = { group: ['**/*-descriptor', '!**/model-descriptor'], message: 'only engine/model-registry.ts imports model descriptors (iterate the registry instead)' };
const restrict = (...names) => ['error', { patterns: [...names.map(folder), descriptors] }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Rules that need the types: a dropped promise, a switch that misses a member of its union, a cast that changes nothing.
    files: ['src/**/*.ts', 'src/**/*.tsx', 'e2e/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // tfjs ops are generic in the rank, which TypeScript infers from a cast to a tensor type: those casts state the rank.
      '@typescript-eslint/no-unnecessary-type-assertion': ['error', { typesToIgnore: ['tf.Scalar', 'tf.Tensor', 'tf.Tensor1D', 'tf.Tensor2D', 'tf.Tensor3D', 'tf.Tensor4D', 'tf.Tensor5D'] }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': restrict('protocol', 'worker', 'client', 'store', 'views', 'app'),
    },
  },
  {
    files: ['src/engine/model-registry.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['protocol', 'worker', 'client', 'store', 'views', 'app'].map(folder) }],
    },
  },
  {
    files: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': restrict('worker', 'client', 'store', 'views', 'app'),
    },
  },
  {
    files: ['src/worker/**'],
    rules: {
      'no-restricted-imports': restrict('client', 'store', 'views', 'app'),
    },
  },
  {
    files: ['src/client/**', 'src/store/**'],
    rules: {
      'no-restricted-imports': restrict('worker', 'views', 'app'),
    },
  },
  {
    // Runs kept in IndexedDB: page-side, beside the client it listens to.
    files: ['src/runs/**'],
    rules: {
      'no-restricted-imports': restrict('worker', 'views', 'app', 'engine'),
    },
  },
  {
    // Export writers (GraphML, GEXF, safetensors, CSV, zip): pure functions of protocol values, tested in Node.
    files: ['src/exports/**'],
    rules: {
      'no-restricted-imports': restrict('worker', 'client', 'store', 'views', 'app', 'engine'),
    },
  },
  {
    files: ['src/views/**'],
    rules: {
      'no-restricted-imports': restrict('worker', 'app', 'engine'),
    },
  },
  {
    // Integration tests wire layers together on purpose (e.g. the worker and the client over a MessageChannel).
    files: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
