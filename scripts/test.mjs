// npm test: unit + golden tests (node:test), then the end-to-end suite in a real VS Code (code-server) driven by
// headless Chromium. Sets up what it needs on first use (code-server in .tools/, Chromium via CHROME_PATH,
// /usr/bin/chromium or apt-get when root on Debian).
// Usage: node scripts/test.mjs [--unit] [--e2e] [--keep]     (no flag: both)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureCodeServer, ensureChromium } from './lib/tools.mjs';
import { packageVsix } from './package.mjs';

const argv = process.argv.slice(2);
const onlyUnit = argv.includes('--unit');
const onlyE2e = argv.includes('--e2e');
const runUnit = !onlyE2e;
const runE2e = !onlyUnit;
const t0 = Date.now();
const summary = [];

function findTests(dir) {
  const out = [];
  const walk = (d) => {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.test.ts')) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, dir));
  return out.sort();
}

function section(title) {
  console.log(`\n━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`);
}

let failed = false;
if (runUnit) {
  section('unit and golden tests (node --test)');
  const files = [...findTests('test/unit'), ...findTests('test/golden')];
  if (files.length === 0) {
    console.log('no test files under test/unit or test/golden');
    summary.push('unit: no test files');
  } else {
    const u0 = Date.now();
    // The spec reporter ends with the runner's own summary (tests, pass, fail, duration): keep it visible.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') },
    });
    const ok = r.status === 0;
    if (!ok) failed = true;
    summary.push(`unit: ${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`} — ${files.length} files in ${((Date.now() - u0) / 1000).toFixed(1)} s`);
  }
}

if (runE2e) {
  section('build and package');
  let vsix = null;
  try {
    vsix = packageVsix({ build: true }).out;
  } catch (e) {
    console.error(e.message);
    failed = true;
    summary.push('build/package: FAILED');
    summary.push('e2e: 0 passed, 1 failed (not run: the build failed)');
  }
  if (vsix) {
    section('end-to-end (code-server + headless Chromium)');
    let ready = true;
    try {
      ensureCodeServer();
      console.log(`[tools] chromium: ${ensureChromium()}`);
    } catch (e) {
      console.error(`e2e setup failed: ${e.message}`);
      ready = false;
    }
    if (!ready) {
      failed = true;
      summary.push('e2e: 0 passed, 1 failed (setup failed: code-server or Chromium missing)');
    } else {
      const e0 = Date.now();
      // Streamed live, and kept to find the suite's own `e2e: N passed, M failed` line.
      const r = await new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [path.join(ROOT, 'test/e2e/run.mjs'), '--vsix', vsix, ...(argv.includes('--keep') ? ['--keep'] : [])],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let stdout = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d) => {
          stdout += d;
          process.stdout.write(d);
        });
        child.on('close', (status, signal) => resolve({ status, signal, stdout }));
      });
      const line = (r.stdout ?? '').split('\n').reverse().find((l) => /^e2e: \d+ passed, \d+ failed/.test(l));
      if (r.status !== 0) failed = true;
      summary.push(`${line ?? `e2e: 0 passed, 1 failed (runner exited ${r.status ?? r.signal} without a summary)`} — ${((Date.now() - e0) / 1000).toFixed(1)} s`);
    }
  }
}

section('summary');
for (const s of summary) console.log(s);
console.log(`npm test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// The final line is the e2e count, as the suite prints it.
const e2eLine = summary.find((s) => s.startsWith('e2e:'));
if (e2eLine) console.log(e2eLine.replace(/ — .*$/, ''));
process.exit(failed ? 1 : 0);
