// Starts and stops a code-server (a real VS Code: workbench, extension host, webviews) for e2e tests,
// `npm start` and the activation benchmark. Every process is started in its own process group and torn down by
// that group id.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, openSync, closeSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureCodeServer, freePort, readPackageJson, ROOT } from './tools.mjs';

export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'files.simpleDialog.enable': true,
};

export function themeSettings(theme) {
  return { 'workbench.colorTheme': theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern' };
}

/** Writes <dataDir>/User/settings.json. */
export function writeUserSettings(dataDir, settings) {
  const userDir = path.join(dataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Installs a .vsix into an extensions dir with code-server's CLI (about a second). */
export function installVsix(bin, { vsix, extensionsDir, dataDir }) {
  const r = spawnSync(
    process.execPath,
    [bin, '--extensions-dir', extensionsDir, '--user-data-dir', dataDir, '--force', '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
  }
  return out.trim();
}

async function waitForHealth(url, proc, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastErr = '';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`code-server exited early (${proc.exitCode ?? proc.signalCode}); log:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
      lastErr = `HTTP ${res.status}`;
    } catch (e) {
      lastErr = e.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms (${lastErr}); log:\n${tail(logFile)}`);
}

function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Kills a process group (started with detached: true) and waits until it is gone. */
export async function killGroup(proc, graceMs = 4000) {
  if (!proc || proc.pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-proc.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-proc.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

const live = new Set();
function killAllSync() {
  for (const proc of live) {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
}
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAllSync();
    process.exit(130);
  });
}
/** Registers a child started with detached: true so that it is killed (by group) when this process exits. */
export function trackGroup(proc) {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
}

/**
 * Starts code-server on 127.0.0.1:<free port>.
 * @param {object} o
 * @param {string} o.dir        scratch dir for config, user data, extensions, logs
 * @param {string} [o.workspace] folder to open
 * @param {string} [o.vsix]     a .vsix to install first
 * @param {string} [o.extensionPath] a built extension folder to symlink into the extensions dir instead
 * @param {object} [o.settings] extra user settings
 * @param {number} [o.port]
 */
export async function startCodeServer(o) {
  const bin = ensureCodeServer({ quiet: true });
  const dir = o.dir;
  const dataDir = path.join(dir, 'data');
  const extensionsDir = path.join(dir, 'extensions');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(dataDir, { ...QUIET_SETTINGS, ...(o.settings ?? {}) });
  const port = o.port ?? (await freePort());
  const host = o.host ?? '127.0.0.1';
  const configFile = path.join(dir, 'cs.yaml');
  writeFileSync(configFile, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);

  let installLog = '';
  if (o.vsix) installLog = installVsix(bin, { vsix: o.vsix, extensionsDir, dataDir });
  else if (o.extensionPath) {
    const pkg = readPackageJson();
    const link = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    if (!existsSync(link)) spawnSync('ln', ['-s', o.extensionPath, link]);
  }

  const logFile = path.join(dir, 'code-server.log');
  const fd = openSync(logFile, 'a');
  const args = [
    bin,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `${host}:${port}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', dataDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(o.extraArgs ?? []),
  ];
  if (o.workspace) args.push(o.workspace);
  const t0 = Date.now();
  const proc = spawn(process.execPath, args, {
    cwd: dir,
    detached: true, // own process group: stopped with kill(-pid)
    stdio: ['ignore', fd, fd],
    env: { ...process.env, VSCODE_PROXY_URI: '', PASSWORD: '' },
  });
  closeSync(fd);
  trackGroup(proc);
  const url = `http://${host}:${port}`;
  await waitForHealth(url, proc, logFile, o.startTimeoutMs ?? 60_000);
  const readyMs = Date.now() - t0;
  const workspaceUrl = o.workspace ? `${url}/?folder=${encodeURIComponent(o.workspace)}` : url;
  return {
    url,
    workspaceUrl,
    port,
    proc,
    dir,
    dataDir,
    extensionsDir,
    logFile,
    installLog,
    readyMs,
    /** Newest extension host log of the newest window (VS Code writes <data>/logs/STAMP/windowN/exthost/exthost.log). */
    exthostLogs() {
      return findFiles(path.join(dataDir, 'logs'), (p) => p.endsWith(`${path.sep}exthost.log`));
    },
    logFiles() {
      return findFiles(path.join(dataDir, 'logs'), (p) => p.endsWith('.log'));
    },
    async stop() {
      await killGroup(proc);
    },
  };
}

export function findFiles(dir, pred, out = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

export { ROOT };
