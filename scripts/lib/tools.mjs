// Tool setup shared by test.mjs, start.mjs, bench.mjs and setup-code-server.mjs:
// code-server (pinned, in a tool folder of its own, never a dependency of the extension)
// and a Chromium for playwright-core (system Chromium; never a browser download).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync, writeFileSync, rmSync, renameSync, accessSync, constants, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const TOOLS_DIR = process.env.LLMFP_TOOLS_DIR ?? path.join(ROOT, '.tools');
export const CODE_SERVER_DIR = path.join(TOOLS_DIR, 'code-server');
export const CODE_SERVER_BIN = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const STAMP = path.join(CODE_SERVER_DIR, '.installed');

const log = (msg) => console.log(`[tools] ${msg}`);

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function isDebianLike() {
  return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

let aptUpdated = false;
/** apt-get install the given Debian packages if missing (only as root on Debian). Returns the list still missing. */
export function aptEnsure(pkgs, why) {
  if (!isDebianLike()) return pkgs;
  const missing = pkgs.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return [];
  if (!isRoot()) {
    log(`missing Debian packages ${missing.join(' ')} (${why}); not root, so not installing them.`);
    log(`  install them with: sudo apt-get install -y ${missing.join(' ')}`);
    return missing;
  }
  log(`installing Debian packages ${missing.join(' ')} (${why}) with apt-get; this happens once…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const u = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (u.status !== 0) log('apt-get update failed; trying the install anyway');
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${r.status})`);
  return missing.filter((p) => !dpkgInstalled(p));
}

/** Path of a Chromium/Chrome executable: $CHROME_PATH, then Debian's, installing it with apt-get when root on Debian. */
export function ensureChromium() {
  const env = process.env.CHROME_PATH;
  if (env) {
    if (!existsSync(env)) throw new Error(`CHROME_PATH=${env} does not exist`);
    return env;
  }
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  let found = candidates.find((p) => existsSync(p));
  if (found) return found;
  aptEnsure(['chromium'], 'headless browser for the end-to-end tests');
  found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium found. Set CHROME_PATH to a Chromium/Chrome executable, or on Debian run as root: apt-get install -y chromium',
    );
  }
  return found;
}

export function codeServerInstalled() {
  if (!existsSync(CODE_SERVER_BIN) || !existsSync(STAMP)) return false;
  try {
    return readFileSync(STAMP, 'utf8').trim() === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/**
 * Installs code-server@CODE_SERVER_VERSION into .tools/code-server on first use (about a minute), reuses it afterwards.
 * Returns the path of its entry script (run it with `node`).
 */
export function ensureCodeServer({ quiet = false } = {}) {
  if (codeServerInstalled()) {
    if (!quiet) log(`code-server ${CODE_SERVER_VERSION} found in ${path.relative(ROOT, CODE_SERVER_DIR) || CODE_SERVER_DIR}`);
    return CODE_SERVER_BIN;
  }
  const t0 = Date.now();
  log(`code-server ${CODE_SERVER_VERSION} is not installed yet: installing it into ${CODE_SERVER_DIR} from npm (once, about a minute)…`);
  // Native modules (kerberos, argon2, node-pty) compile from source when their prebuilt downloads fail.
  aptEnsure(['libkrb5-dev', 'ripgrep', 'python3', 'make', 'g++'], 'needed to build code-server');
  const rg = which('rg');
  // @vscode/ripgrep's postinstall downloads rg from GitHub; seed its cache with the system rg instead.
  const tmp = process.env.TMPDIR || '/tmp';
  if (rg) {
    for (const ver of ['1.15.11', '1.15.10', '1.15.9', '1.15.14']) {
      const cache = path.join(tmp, `vscode-ripgrep-cache-${ver}`);
      mkdirSync(cache, { recursive: true });
      for (const asset of ['ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz', 'ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz']) {
        const tgz = path.join(cache, asset);
        if (existsSync(tgz)) continue;
        const stage = path.join(tmp, `llmfp-rgstage-${process.pid}`);
        mkdirSync(stage, { recursive: true });
        copyFileSync(rg, path.join(stage, 'rg'));
        const t = spawnSync('tar', ['czf', tgz, '-C', stage, 'rg']);
        rmSync(stage, { recursive: true, force: true });
        if (t.status !== 0) log(`could not seed the ripgrep cache at ${tgz}`);
      }
    }
  } else {
    log('no `rg` on PATH: @vscode/ripgrep will try to download ripgrep from GitHub (may fail offline)');
  }
  // Install into a staging folder, then rename: an interrupted install never looks complete.
  // Per-process staging folder: two concurrent first runs never write into the same tree.
  const staging = `${CODE_SERVER_DIR}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify({ name: 'llm-footprint-tools-code-server', private: true, description: 'tool folder; not part of the extension' }, null, 2),
  );
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  };
  const npmCmd = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npmCmd,
    ['install', '--foreground-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: staging, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', env },
  );
  const entry = path.join(staging, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (r.status !== 0 || !existsSync(entry)) {
    throw new Error(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status}). It needs npm registry access, ` +
        `a C/C++ toolchain, python3 and libkrb5-dev (Debian: apt-get install -y libkrb5-dev ripgrep build-essential python3). ` +
        `The partial install is in ${staging}.`,
    );
  }
  // A smoke check: the installed code-server prints its version.
  const v = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8' });
  if (v.status !== 0 || !v.stdout.includes(CODE_SERVER_VERSION)) {
    throw new Error(`installed code-server does not run: ${v.stdout}${v.stderr}`);
  }
  writeFileSync(path.join(staging, '.installed'), `${CODE_SERVER_VERSION}\n`);
  if (codeServerInstalled()) {
    // Another process finished first: keep its install.
    rmSync(staging, { recursive: true, force: true });
    return CODE_SERVER_BIN;
  }
  rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  renameSync(staging, CODE_SERVER_DIR);
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - t0) / 1000).toFixed(0)} s; later runs reuse it`);
  return CODE_SERVER_BIN;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function readPackageJson() {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
}

/** Runs a node script/command synchronously, inheriting stdio; throws on failure. */
export function runNode(args, opts = {}) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r;
}

export { spawn, which };

/** Files below `dir`, sorted, skipping dot-entries (.vscode, …). */
export function listFiles(dir) {
  const out = [];
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}
