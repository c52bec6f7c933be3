/**
 * Pure glue between parsed files and the engine: builds the scenario a file describes, runs the estimate, and
 * re-runs it with one thing changed (for hovers, quick fixes and the webview). No `vscode` here.
 */
import {
  estimateSpec,
  findGpu,
  formatBytes,
  parseScenario,
  readModelConfig,
  type Estimate,
  type EstimateOptions,
  type Gpu,
  type ModelSpec,
  type Scenario,
  type ScenarioInput,
} from '../core/index.ts';
import type { WorkloadFile } from '../parsers/types.ts';

export type FileKindOrNone = 'model-config' | 'axolotl' | 'llamafactory' | 'vllm';

export interface Analysis {
  kind: FileKindOrNone;
  config: Record<string, unknown>;
  spec: ModelSpec;
  scenario: Scenario;
  estimate: Estimate;
  gpu: Gpu | null;
  /**
   * The engine's verdict (`estimate.memory.fits`): device memory within the GPU, or for the vLLM runtime one
   * request of the full length within the KV pool that --gpu-memory-utilization leaves. null without a GPU.
   */
  fits: boolean | null;
  /** The user's GPUs (llmFootprint.customGpus) the estimate was made with; every re-run uses them too. */
  customGpus?: readonly Gpu[];
  /** A workload's model config: where it came from (relative path, Hugging Face cache, bundled catalog). */
  modelSource?: string;
}

/**
 * The scenario of a file: settings defaults, overridden by what the file says, target GPU from the file or the
 * setting. A `vllm serve` command runs the engine's vLLM runtime (budget = --gpu-memory-utilization × GPU, paged KV
 * pool); its --gpu-memory-utilization and --max-num-batched-tokens come from the script, else from the
 * llmFootprint.defaults.* settings. A vLLM command without --max-model-len serves the model's full context.
 * Training files always run the PyTorch runtime (vLLM only serves).
 */
export function buildScenario(defaults: ScenarioInput, workload: WorkloadFile | null, spec: ModelSpec, gpuId: string | null): Scenario {
  const input: ScenarioInput = { ...defaults, ...(workload?.scenario ?? {}) };
  if (workload?.kind === 'vllm') {
    input.runtime = 'vllm';
    input.mode = 'inference';
    // vLLM computes the logits of the last position only.
    delete input.logits;
    if (workload.scenario.seq === undefined && spec.maxPositions) input.seq = spec.maxPositions;
  }
  if (workload && workload.scenario.mode === 'training') delete input.newTokens;
  if (!input.gpu && gpuId) input.gpu = gpuId;
  if (input.mode === 'training') {
    input.newTokens = 0;
    input.runtime = 'pytorch';
  }
  return parseScenario(input);
}

/** Whether an estimate fits its target GPU, as the engine decides (null without a GPU). */
export function fitsOn(estimate: Estimate, gpu: Gpu | null): boolean | null {
  if (!gpu) return null;
  return estimate.memory.fits ?? estimate.memory.device_bytes <= gpu.memoryBytes;
}

export function analyze(kind: FileKindOrNone, config: Record<string, unknown>, spec: ModelSpec, scenario: Scenario, customGpus: readonly Gpu[] = []): Analysis {
  const estimate = estimateSpec(spec, scenario, { customGpus });
  const gpu = scenario.gpu ? (findGpu(scenario.gpu, customGpus) ?? null) : null;
  return { kind, config, spec, scenario, estimate, gpu, fits: fitsOn(estimate, gpu), customGpus };
}

/** The engine options of an analysis (its custom GPUs), for re-runs. */
export function engineOptions(a: Pick<Analysis, 'customGpus'>): EstimateOptions {
  return a.customGpus?.length ? { customGpus: a.customGpus } : {};
}

/** The vLLM figures of an estimate, when it ran the vLLM runtime on a target GPU. */
export function servingOf(e: Estimate): NonNullable<Estimate['memory']['serving']> | null {
  return e.memory.serving ?? null;
}

/**
 * vLLM: bytes of the profile run (one scheduler step's activations and the sampler's logits), which the engine keeps
 * as the allocator reserve of the budget; whichever phase is the peak, this is what comes out of the KV pool.
 */
export function profileRunBytes(e: Estimate): number {
  return e.memory.device_terms.find((t) => t.id === 'allocator_reserve')?.bytes ?? 0;
}

/** Tokens of one full-length request (vLLM: --max-model-len, prompt and output together). */
export function requestTokens(s: Scenario): number {
  return s.seq + (s.mode === 'inference' ? s.newTokens : 0);
}

/** 0.9 → "90%". */
export function percentLabel(f: number): string {
  return `${Math.round(f * 1000) / 10}%`;
}

/** Same model, scenario with a patch; null when the patched scenario is invalid. */
export function rerun(a: Analysis, patch: Partial<Scenario>): Estimate | null {
  try {
    return estimateSpec(a.spec, parseScenario({ ...a.scenario, ...patch }), engineOptions(a));
  } catch {
    return null;
  }
}

/** Same scenario, config with some keys changed (re-parsed); null when the engine rejects it. */
export function rerunConfig(a: Analysis, patch: Record<string, unknown>): Estimate | null {
  try {
    return estimateSpec(readModelConfig({ ...a.config, ...patch }), a.scenario, engineOptions(a));
  } catch {
    return null;
  }
}

/** "NVIDIA H100 SXM 80GB" → "H100 80GB". */
export function shortGpuName(gpu: { name: string }): string {
  return gpu.name
    .replace(/^(NVIDIA|AMD)\s+/, '')
    .replace(/\b(GeForce|Instinct|RTX)\s+/, (m) => (m.startsWith('RTX') ? m : ''))
    .replace(/\s+SXM2?\b/, '')
    .trim();
}

/** 131072 → "128K", 32768 → "32K", 4000 → "4,000". */
export function tokensLabel(n: number): string {
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return n.toLocaleString('en-US');
}

/** 8030261248 → "8.03 B". */
export function countLabel(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

export function signedBytes(n: number): string {
  return `${n < 0 ? '−' : '+'}${formatBytes(Math.abs(n))}`;
}

/** Terms whose id or label matches (the engine's term ids: weights, kv_cache, activations, gradients, optimizer …). */
export function termsMatching(e: Estimate, re: RegExp) {
  return e.memory.terms.filter((t) => t.where === 'gpu' && (re.test(t.id) || re.test(t.label)));
}

export function bytesMatching(e: Estimate, re: RegExp): number {
  return termsMatching(e, re).reduce((s, t) => s + t.bytes, 0);
}

/** Bytes of the weights term (frozen base or trained weights). */
export function weightsBytes(e: Estimate): number {
  return e.memory.terms.filter((t) => t.where === 'gpu' && t.id === 'weights').reduce((s, t) => s + t.bytes, 0);
}

export { largestFitting } from '../core/index.ts';

/** Whether the token-proportional terms (activations, logits, KV cache) outweigh the parameter-proportional ones. */
export function tokenBound(e: Estimate): boolean {
  const tok = bytesMatching(e, /^(activations|logits|kv_cache)/);
  const par = bytesMatching(e, /^(weights|gradients|optimizer|autocast|lora)/);
  return tok >= par;
}
