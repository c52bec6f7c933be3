// Runs the end-to-end suite: code-server (a real VS Code) with the packaged extension on a copy of examples/,
// driven by the system Chromium through playwright-core. Prints `e2e: N passed, M failed`; exits 1 on any failure.
// Usage: node test/e2e/run.mjs --vsix dist/llm-footprint.vsix [--keep] [--grep text]
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCodeServer, themeSettings } from '../../scripts/lib/codeserver.mjs';
import { ROOT, readPackageJson } from '../../scripts/lib/tools.mjs';
import { launchBrowser, Workbench } from './harness.mjs';
import { tests, E2E_CUSTOM_GPUS } from './suite.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'extension-path': { type: 'string' },
    keep: { type: 'boolean', default: false },
    grep: { type: 'string' },
    timeout: { type: 'string', default: '90000' },
    examples: { type: 'string' }, // another source folder for the workspace (developing the suite)
  },
});
const TEST_TIMEOUT = Number(opts.timeout);
const t0 = Date.now();
const results = path.join(ROOT, 'test-results');
mkdirSync(results, { recursive: true });
for (const f of readdirSync(results)) if (f.endsWith('.png')) rmSync(path.join(results, f), { force: true });

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmfp-e2e-'));
const workspace = path.join(tmp, 'examples');
cpSync(opts.examples ? path.resolve(opts.examples) : path.join(ROOT, 'examples'), workspace, { recursive: true });

const pkg = readPackageJson();
const ctx = { pkg, workspace, results, notes: [], state: { theme: 'dark' }, activationMs: null };
const outcomes = [];
let cs;
let browser;

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

try {
  const vsix = opts.vsix ? path.resolve(opts.vsix) : null;
  const extensionPath = opts['extension-path'] ? path.resolve(opts['extension-path']) : null;
  if (!vsix && !extensionPath) throw new Error('pass --vsix <file> or --extension-path <dir>');
  console.log(`e2e: starting code-server on 127.0.0.1 with ${vsix ? path.relative(ROOT, vsix) : extensionPath} (workspace: copy of examples/ in ${workspace})`);
  cs = await startCodeServer({ dir: path.join(tmp, 'cs'), workspace, vsix, extensionPath, settings: { ...themeSettings('dark'), 'llmFootprint.customGpus': E2E_CUSTOM_GPUS } });
  console.log(`e2e: code-server ready at ${cs.url} in ${cs.readyMs} ms`);
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20_000);
  const wb = new Workbench(page);
  Object.assign(ctx, { wb, cs });
  const list = tests(ctx).filter((t) => !opts.grep || t.name.includes(opts.grep) || t.name.startsWith('workbench'));
  let fatal = null;
  for (const t of list) {
    const start = Date.now();
    if (fatal) {
      outcomes.push({ name: t.name, ok: false, ms: 0, error: `not run: ${fatal}` });
      console.log(`  ✖ ${t.name}\n      not run: ${fatal}`);
      continue;
    }
    try {
      await withTimeout(t.fn(), TEST_TIMEOUT);
      outcomes.push({ name: t.name, ok: true, ms: Date.now() - start });
      console.log(`  ✔ ${t.name} (${Date.now() - start} ms)`);
    } catch (err) {
      const ms = Date.now() - start;
      const msg = (err && err.message) || String(err);
      outcomes.push({ name: t.name, ok: false, ms, error: msg });
      console.log(`  ✖ ${t.name} (${ms} ms)\n      ${msg.split('\n').join('\n      ')}`);
      const file = path.join(results, `FAILED-${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
      await page.screenshot({ path: file }).catch(() => {});
      console.log(`      screenshot: ${path.relative(ROOT, file)}`);
      await page.keyboard.press('Escape').catch(() => {});
      if (t.name.startsWith('workbench')) fatal = 'the workbench did not load';
    }
  }
} catch (err) {
  outcomes.push({ name: 'setup', ok: false, ms: Date.now() - t0, error: err.message });
  console.log(`  ✖ setup\n      ${err.message.split('\n').join('\n      ')}`);
} finally {
  await browser?.close().catch(() => {});
  await cs?.stop();
}

const failed = outcomes.filter((o) => !o.ok);
if (failed.length && cs) {
  // Keep the logs of a failed run beside the screenshots.
  const logs = path.join(results, 'logs');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  for (const f of [cs.logFile, ...cs.logFiles()]) {
    if (existsSync(f)) copyFileSync(f, path.join(logs, path.relative(tmp, f).replace(/[\\/]/g, '__')));
  }
  console.log(`e2e: logs copied to ${path.relative(ROOT, logs)}/`);
}
if (ctx.notes.length) console.log(ctx.notes.map((n) => `  · ${n}`).join('\n'));
if (ctx.activationMs !== null) console.log(`e2e: activation ${ctx.activationMs} ms (VS Code's Running Extensions)`);
const shots = readdirSync(results).filter((f) => f.endsWith('.png'));
if (shots.length) console.log(`e2e: screenshots in test-results/: ${shots.join(', ')}`);
if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
else console.log(`e2e: kept ${tmp}`);
console.log(`e2e: finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`e2e: ${outcomes.filter((o) => o.ok).length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
