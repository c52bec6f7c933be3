/**
 * Checks on input from outside the engine, each written once: a JSON object (a config, a message, a setting) and
 * the error for a GPU id that neither the catalog nor the user's GPUs know. The CLI, the extension and the webview
 * use these too, so every surface says the same thing.
 */
import { ScenarioError } from './scenario.ts';

/** A plain object (not null, not an array), as JSON.parse returns for `{…}`. */
export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The scenario error for a GPU id that is not in the catalog (nor among the user's GPUs). */
export function unknownGpuError(id: string): ScenarioError {
  return new ScenarioError(`gpu: unknown GPU "${id}" (see \`llm-footprint gpus\`)`, 'gpu');
}
