// The CLI is the oracle of the e2e suite: what the extension shows must equal `llm-footprint estimate --json`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/lib/tools.mjs';

export const CLI = path.join(ROOT, 'dist', 'cli.js');

export { scenarioFlags, cliScenarioKeys } from '../../scripts/lib/cliflags.mjs';
import { scenarioFlags } from '../../scripts/lib/cliflags.mjs';

/**
 * Scenario and model config of a workspace file as the project's parsers read them (training YAML, vllm scripts);
 * for a config.json: the file itself and an empty scenario.
 */
export function readWorkload(file, workspaceRoot) {
  if (file.endsWith('.json')) return { kind: 'model-config', modelConfig: file, scenario: {} };
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/lib/workload.ts'), file, workspaceRoot], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`scripts/lib/workload.ts failed on ${file}: ${r.stderr || r.stdout}`);
  const w = JSON.parse(r.stdout);
  if (!w.modelConfig) throw new Error(`${file}: no local model config found for model "${w.model}" (tried ${JSON.stringify(w.candidates)})`);
  return w;
}

/** The CLI's estimate for a workspace file (any kind) with scenario overrides. */
export function estimateFile(file, workspaceRoot, overrides = {}) {
  const w = readWorkload(file, workspaceRoot);
  const scenario = { ...w.scenario, ...overrides };
  return { ...cliEstimate(w.modelConfig, scenarioFlags(scenario)), _workload: w, _scenario: scenario };
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
    throw new Error(`CLI --json output is not JSON (${e.message}): ${r.stdout.slice(0, 400)}`, { cause: e });
  }
}

export const GiB = 2 ** 30;
