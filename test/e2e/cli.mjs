// The CLI is the oracle of the e2e suite: what the extension shows must equal `llm-footprint estimate --json`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/lib/tools.mjs';

export const CLI = path.join(ROOT, 'dist', 'cli.js');

const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** CLI flags for a scenario object ({ batch: 8, gradCheckpointing: true, loraRank: null, … }). */
export function scenarioFlags(scenario) {
  const flags = [];
  for (const [key, value] of Object.entries(scenario ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    const flag = `--${kebab(key)}`;
    if (typeof value === 'boolean') flags.push(value ? flag : `--no-${kebab(key)}`);
    else flags.push(flag, String(value));
  }
  return flags;
}

/** Runs `node dist/cli.js estimate <file> --json <args>` and returns the parsed report. */
export function cliEstimate(file, args = []) {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: the CLI was not built`);
  const argv = [CLI, 'estimate', file, '--json', ...args];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`CLI failed (exit ${r.status}): node ${argv.map((a) => path.relative(ROOT, a) || a).join(' ')}\n${r.stderr || r.stdout}`);
  }
  try {
    const json = JSON.parse(r.stdout);
    return Array.isArray(json) ? json[0] : json;
  } catch (e) {
    throw new Error(`CLI --json output is not JSON (${e.message}): ${r.stdout.slice(0, 400)}`);
  }
}

export const GiB = 2 ** 30;
