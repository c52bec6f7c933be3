/** The engine's public surface. Pure TypeScript: no `vscode`, no I/O. */
import type { ModelSpec } from './types.ts';
import type { Estimate } from './report.ts';
import { parseScenario, type ScenarioInput } from './scenario.ts';
import { readModelConfig } from './model/index.ts';
import { estimateSpec, type EstimateOptions } from './estimate.ts';

export { readModelConfig, ConfigError } from './model/index.ts';
export { estimateSpec, type EstimateOptions } from './estimate.ts';
export { largestFitting, maxConcurrency, bestThroughputBatch, type ThroughputBest } from './solve.ts';
export { timeSummary, formatSeconds, formatRate } from './roofline/format.ts';
export type { RooflineReport, RooflineOp, TimeReport, TimeFigures } from './roofline/time.ts';
export { vllmEngineDefaults } from './serving.ts';
export { isObject, unknownGpuError } from './input-checks.ts';
export * from './scenario.ts';
export { GPUS, findGpu, peakFlops, type Gpu, type ComputeDtype } from './roofline/hardware.ts';
export { RUNTIMES, type RuntimeProfile } from './runtime.ts';
export { formatBytes, formatCount } from './units.ts';
export type * from './types.ts';
export type * from './report.ts';

function isSpec(x: unknown): x is ModelSpec {
  return typeof x === 'object' && x !== null && 'tensors' in x && 'block' in x && 'layerKinds' in x;
}

/**
 * Estimates memory for a Hugging Face config.json object (or an already-read ModelSpec) and a scenario.
 * Throws ConfigError (bad config; names the key) or ScenarioError (bad scenario; names the key).
 */
export function estimate(config: unknown, scenario: ScenarioInput = {}, opts: EstimateOptions = {}): Estimate {
  const spec = isSpec(config) ? config : readModelConfig(config);
  return estimateSpec(spec, parseScenario(scenario), opts);
}
export { compareMethods, methodPresets, COMPARE_TERMS, type MethodColumn, type MethodPreset } from './compare.ts';
export { HF_OPTIM, lookupOptim, parseOptimArgs, type HfOptim } from './training/optim-names.ts';
