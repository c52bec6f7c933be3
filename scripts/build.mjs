// Bundles the extension, the CLI, the library API and the webview with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's `main` is UMD; its ESM build bundles correctly.
  mainFields: ['module', 'main'],
  legalComments: 'none',
};

mkdirSync('dist', { recursive: true });
const builds = [
  { ...common, entryPoints: ['src/lib.ts'], outfile: 'dist/lib.js', platform: 'node', format: 'cjs', target: 'node20' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
];
if (existsSync('src/extension/extension.ts')) {
  builds.push({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  });
}
if (existsSync('webview-ui/main.ts')) {
  builds.push({
    ...common,
    entryPoints: ['webview-ui/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}
await Promise.all(builds.map((b) => esbuild.build(b)));
console.log(`built ${builds.map((b) => b.outfile).join(', ')}${production ? ' (production)' : ''}`);
