// npm start: build, print the CLI's breakdown of every example config, then start code-server (a real VS Code in the
// browser) with the extension on examples/ and print its URL. `CI=true` or `--no-server` prints the breakdowns only.
// Usage: node scripts/start.mjs [--no-server] [--port N] [--host 127.0.0.1]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureCodeServer, listFiles, readPackageJson, which, CODE_SERVER_VERSION, TOOLS_DIR } from './lib/tools.mjs';
import { startCodeServer } from './lib/codeserver.mjs';

const { values: opts } = parseArgs({
  options: {
    'no-server': { type: 'boolean', default: false },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const serve = !opts['no-server'] && !ci;
const examples = path.join(ROOT, 'examples');

// 1. Build (development bundles with source maps; `npm run package` makes the production VSIX).
const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (b.status !== 0) {
  console.error('start: the build failed');
  process.exit(1);
}

// 2. The CLI's breakdown for each example file.
const rel = (p) => path.relative(ROOT, p);
const cli = path.join(ROOT, 'dist', 'cli.js');
const gpu = readPackageJson().contributes?.configuration?.properties?.['llmFootprint.gpu']?.default;
let shown = 0;
for (const file of listFiles(examples)) {
  const text = readFileSync(file, 'utf8');
  const isConfig = file.endsWith('.json') && /"(model_type|architectures)"/.test(text);
  if (!isConfig && !/\.(ya?ml|sh|bash)$/.test(file)) continue;
  // The CLI reads every kind of example file itself (model configs, training YAML, vllm scripts).
  const r = spawnSync(process.execPath, [cli, 'estimate', rel(file), ...(gpu ? ['--gpu', gpu] : [])], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 2 && !isConfig) continue; // not a workload file after all
  process.stdout.write(`\n${r.stdout}`);
  if (r.status !== 0) process.stdout.write(r.stderr);
  shown++;
}
if (shown === 0) console.log('start: no example configs found in examples/');

if (!serve) {
  console.log(`\nstart: ${ci ? 'CI=true' : '--no-server'}: not starting code-server.`);
  process.exit(0);
}

// 3. code-server with the extension (symlinked: rebuild with `npm run build:watch` and reload the page).
ensureCodeServer();
const pkg = readPackageJson();
const dir = path.join(TOOLS_DIR, 'start');
const extensionsDir = path.join(dir, 'extensions');
mkdirSync(extensionsDir, { recursive: true });
for (const name of readdirSync(extensionsDir)) {
  if (name.startsWith(`${pkg.publisher}.${pkg.name}-`)) rmSync(path.join(extensionsDir, name), { recursive: true, force: true });
}
rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
symlinkSync(ROOT, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`));

const port = opts.port ? Number(opts.port) : process.env.PORT ? Number(process.env.PORT) : undefined;
const cs = await startCodeServer({ dir, workspace: examples, host: opts.host, port, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
console.log(`\ncode-server ${CODE_SERVER_VERSION} (VS Code 1.100.3) with ${pkg.displayName} on examples/:`);
console.log(`\n    ${cs.workspaceUrl}\n`);
console.log('Open a config in examples/ for the CodeLens and hovers; run "LLM Footprint: Show Memory Breakdown" from the palette (F1).');
console.log(`Rebuild on change with \`npm run build:watch\`, then reload the page. Logs: ${path.relative(ROOT, cs.logFile)}`);
if (which('code')) {
  console.log('A local VS Code is installed too: `npm run package && code --install-extension dist/llm-footprint.vsix`');
}
console.log('Ctrl+C stops it.');
const stop = async () => {
  await cs.stop();
  process.exit(0);
};
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cs.proc.on('exit', (code) => {
  console.log(`code-server exited (${code})`);
  process.exit(code ?? 1);
});
