// ESLint flat config: typescript-eslint's type-checked recommended rules for the TypeScript sources (src/, webview-ui/,
// scripts/, test/), the plain recommended rules for the JavaScript ones (.mjs), and import rules that keep the layering:
// src/core imports nothing outside itself (and not vscode), webview-ui imports nothing from src/extension.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// no-restricted-imports matches the import string, not the resolved file, so "outside src/core" depends on how deep the
// importing file sits: from src/core/<d folders>/x.ts, d + 1 leading "../" leave src/core. One block per depth, up to
// a depth deeper than any folder in src/core today.
const outsideCore = (depth) => ({
  regex: `^(\\./)?(\\.\\./){${depth + 1}}`,
  message: 'src/core imports nothing outside src/core (it is bundled into the CLI, the extension and the webview alike).',
});
const coreLayering = [0, 1, 2, 3, 4, 5].map((depth) => ({
  files: [`src/core/${'*/'.repeat(depth)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: 'vscode', message: 'src/core does not depend on the VS Code API.' }],
        patterns: [outsideCore(depth)],
      },
    ],
  },
}));

export default defineConfig(
  {
    ignores: ['dist/', 'out/', '.tools/', 'node_modules/', 'test/fixtures/', 'test-results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.eslint.json, not the project service's tsconfig.json: see the comment at its top.
        project: './tsconfig.eslint.json',
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test(), describe() and it() return promises that the runner itself awaits and reports.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // src/lib.ts loads the extension bundle (external to dist/lib.js) with require('./extension.js') only when VS Code
      // activates it: a static import would load it, and the vscode module, whenever the library is required.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\./extension\\.js$'] }],
    },
  },
  {
    // JavaScript files are not part of the TypeScript program: no type information, so no type-checked rules.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The end-to-end suite drives a browser: the callbacks it hands to page.evaluate() run there.
    files: ['test/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['webview-ui/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview runs in a browser, without the VS Code API.' }],
          patterns: [
            {
              regex: '(^|/)extension(/|$)',
              message: 'webview-ui imports nothing from src/extension: move what both sides need to src/shared or src/core.',
            },
          ],
        },
      ],
    },
  },
  ...coreLayering,
);
