// Builds production bundles and packages the extension as dist/llm-footprint.vsix with @vscode/vsce (offline).
// Usage: node scripts/package.mjs [--out file.vsix] [--no-build]
import { spawnSync } from 'node:child_process';
import { statSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/tools.mjs';

const MAX_BYTES = 3 * 2 ** 20;
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = path.resolve(ROOT, outIdx >= 0 ? args[outIdx + 1] : 'dist/llm-footprint.vsix');

export function packageVsix({ build = true, quiet = false } = {}) {
  if (build) {
    const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--production'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('production build failed');
  }
  for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!existsSync(path.join(ROOT, f))) console.warn(`package: ${f} is missing; vsce may refuse or warn`);
  }
  rmSync(out, { force: true });
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out],
    { cwd: ROOT, encoding: 'utf8', input: 'y\n', env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed (exit ${r.status}):\n${log}`);
  if (!quiet) process.stdout.write(log.split('\n').filter((l) => !/npm warn Unknown user config/.test(l)).join('\n'));
  const size = statSync(out).size;
  const msg = `package: ${path.relative(ROOT, out)} ${(size / 2 ** 20).toFixed(2)} MiB (${size} B) in ${Date.now() - t0} ms`;
  if (size >= MAX_BYTES) throw new Error(`${msg}: over the 3 MiB limit`);
  console.log(msg);
  return { out, size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    packageVsix({ build: !args.includes('--no-build') });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
