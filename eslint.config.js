// Lint rules, including the one-way layering of src/ (DESIGN section 3):
// views -> store/client -> protocol -> engine; the engine imports no other folder.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const folder = (name) => ({ group: [`**/${name}/**`, `**/${name}`, `../${name}/*`, `../../${name}/*`], message: `this folder must not import from src/${name}` });

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
    files: ['src/**/*.tsx', 'src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['protocol', 'worker', 'client', 'store', 'views', 'app'].map(folder) }],
    },
  },
  {
    files: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['worker', 'client', 'store', 'views', 'app'].map(folder) }],
    },
  },
  {
    files: ['src/worker/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['client', 'store', 'views', 'app'].map(folder) }],
    },
  },
  {
    files: ['src/client/**', 'src/store/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['worker', 'views', 'app'].map(folder) }],
    },
  },
  {
    files: ['src/views/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['worker', 'app', 'engine'].map(folder) }],
    },
  },
  {
    // Integration tests wire layers together on purpose (e.g. the worker and the client over a MessageChannel).
    files: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
