/**
 * The scenario and model config of a workspace file, as the project's own parsers read them: the oracle of the e2e
 * suite and of the benchmark. It finds the model as the CLI does (src/cli/workload.ts) and keeps the scenario as
 * data, for explicit flags.
 *   node --import tsx scripts/lib/workload.ts <file> <workspaceRoot>
 * prints JSON { kind, model, modelConfig: <abs path or null>, scenario: ScenarioInput | null, candidates }.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readWorkloadFile } from '../../src/cli/workload.ts';

export interface Workload {
  kind: string | null;
  model?: string | null;
  modelConfig: string | null;
  scenario: Record<string, unknown> | null;
  errors?: unknown[];
}

export function readWorkload(file: string, root: string): Workload {
  const { doc, first, modelConfig } = readWorkloadFile(file, readFileSync(file, 'utf8'), [path.resolve(root)]);
  if (!first) return { kind: doc.kind, modelConfig: null, scenario: null, errors: doc.errors };
  if (first.kind === 'model-config') return { kind: first.kind, modelConfig: path.resolve(file), scenario: {} };
  return { kind: first.kind, model: first.model, modelConfig, scenario: first.scenario };
}

const [file, root] = process.argv.slice(2);
if (file && root && /workload\.ts$/.test(process.argv[1] ?? '')) {
  console.log(JSON.stringify(readWorkload(file, root)));
}
