// Scenario ↔ CLI flags, derived from `llm-footprint estimate --help` so that new scenario options (new flags) are
// picked up without editing this file.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './tools.mjs';

const NOT_SCENARIO = new Set(['json', 'check', 'help', 'fullLogits']);
const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

let cached = null;
/** Scenario keys the CLI has a flag for, e.g. ['mode', 'batch', …, 'gpuMemoryUtilization']. */
export function cliScenarioKeys(cli = path.join(ROOT, 'dist', 'cli.js')) {
  if (cached) return cached;
  const r = spawnSync(process.execPath, [cli, 'estimate', '--help'], { encoding: 'utf8' });
  const keys = [...`${r.stdout}`.matchAll(/^\s+--([a-z][a-z0-9-]*)/gm)].map((m) => camel(m[1])).filter((k) => !NOT_SCENARIO.has(k));
  if (keys.length === 0) throw new Error(`could not read the CLI's flags from \`${path.relative(ROOT, cli)} estimate --help\`:\n${r.stdout}${r.stderr}`);
  cached = keys;
  return keys;
}

/** A default-on option the CLI only has as --no-<key> (e.g. --no-prepare-kbit): true is its default. */
function negatedOnly(key) {
  const keys = cliScenarioKeys();
  return !keys.includes(key) && keys.includes(`no${key[0].toUpperCase()}${key.slice(1)}`);
}

/**
 * CLI flags for a scenario object ({ batch: 8, gradCheckpointing: true, loraRank: null, … }).
 * `strict`: throw on a field the CLI has no flag for (else skip it).
 */
export function scenarioFlags(scenario, { strict = true } = {}) {
  const keys = cliScenarioKeys();
  const flags = [];
  for (const [key, value] of Object.entries(scenario ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'logits') {
      if (value === 'all') flags.push('--full-logits');
      continue;
    }
    if (!keys.includes(key) && !keys.includes(`no${key[0].toUpperCase()}${key.slice(1)}`)) {
      if (strict) throw new Error(`scenario field "${key}" (= ${JSON.stringify(value)}) has no CLI flag (CLI flags: ${keys.join(', ')})`);
      continue;
    }
    const flag = `--${kebab(key)}`;
    if (typeof value === 'boolean') {
      // true: --flag; false: --no-flag where the CLI has one (a default-on option), else false is the default.
      if (value) {
        if (keys.includes(key) && !negatedOnly(key)) flags.push(flag);
      } else if (keys.includes(`no${key[0].toUpperCase()}${key.slice(1)}`)) flags.push(`--no-${kebab(key)}`);
    } else flags.push(flag, String(value));
  }
  return flags;
}
