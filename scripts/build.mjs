// Bundles the extension, the CLI, the library API and the webview with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch] [--quiet]
//   --production  minified, no source maps (what the VSIX ships)
//   --watch       rebuild on change
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const quiet = process.argv.includes('--quiet');
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's `main` is UMD; its ESM build bundles correctly.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  metafile: true,
};

mkdirSync('dist', { recursive: true });
// A production build leaves no stale source maps behind.
if (production) for (const f of readdirSync('dist')) if (f.endsWith('.map')) rmSync(path.join('dist', f));

const node = { platform: 'node', format: 'cjs', target: 'node20' };
const builds = [];
if (existsSync('src/lib.ts')) builds.push({ ...common, ...node, entryPoints: ['src/lib.ts'], outfile: 'dist/lib.js', external: ['./extension.js'] });
if (existsSync('src/cli/main.ts')) {
  builds.push({ ...common, ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
}
// The package's main (dist/lib.js) is the engine and loads dist/extension.js on activation; the extension takes the
// engine from there instead of bundling a second copy (one load, one module instance).
const engineFromLib = {
  name: 'engine-from-lib',
  setup(build) {
    build.onResolve({ filter: /[\\/]core[\\/](index|scenario)\.ts$/ }, () => ({ path: './lib.js', external: true }));
  },
};
// Custom-GPU parsing carries mathjs: a bundle of its own (dist/custom-gpu.js), loaded only when the setting has entries.
const customGpusApart = {
  name: 'custom-gpus-apart',
  setup(build) {
    build.onResolve({ filter: /[\\/]core[\\/]custom-gpu\.ts$/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: './custom-gpu.js', external: true }));
  },
};
if (existsSync('src/extension/extension.ts')) {
  builds.push({
    ...common,
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [engineFromLib, customGpusApart],
  });
}
// The worker that parses large YAML off the extension host (src/extension/parse-off-thread.ts).
if (existsSync('src/extension/parse-worker.ts')) {
  builds.push({ ...common, ...node, entryPoints: ['src/extension/parse-worker.ts'], outfile: 'dist/parse-worker.js', plugins: [engineFromLib] });
}
if (existsSync('src/core/custom-gpu.ts')) {
  builds.push({ ...common, ...node, entryPoints: ['src/core/custom-gpu.ts'], outfile: 'dist/custom-gpu.js', plugins: [engineFromLib] });
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

const size = (f) => (existsSync(f) ? `${(statSync(f).size / 1024).toFixed(0)} KiB` : '');
const t0 = Date.now();
if (watch) {
  const ctxs = await Promise.all(builds.map((b) => esbuild.context({ ...b, plugins: [{ name: 'log', setup(build) {
    build.onEnd((r) => console.log(`[watch] ${b.outfile}: ${r.errors.length ? `${r.errors.length} error(s)` : 'ok'}`));
  } }] })));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log(`watching ${builds.length} bundles (Ctrl+C to stop)`);
} else {
  try {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  } catch {
    process.exit(1); // esbuild already printed the errors
  }
  if (!quiet) {
    console.log(
      `built ${builds.map((b) => `${b.outfile} (${size(b.outfile)})`).join(', ')}${production ? ' [production]' : ''} in ${Date.now() - t0} ms`,
    );
  }
}
