/**
 * Pure glue between parsed files and the engine: builds the scenario a file describes, runs the estimate, and
 * re-runs it with one thing changed (for hovers, CodeLens and quick fixes). No `vscode` here.
 */
import {
  estimateSpec,
  vllmEngineDefaults,
  findGpu,
  parseScenario,
  readModelConfig,
  type Estimate,
  type EstimateOptions,
  type Gpu,
  type ModelSpec,
  type Scenario,
  type ScenarioInput,
} from '../core/index.ts';
import type { FileKind, WorkloadFile } from '../parsers/types.ts';
import { autoSources, namedSource, resolveAutos } from '../parsers/resolve.ts';

export interface Analysis {
  kind: FileKind;
  config: Record<string, unknown>;
  spec: ModelSpec;
  scenario: Scenario;
  estimate: Estimate;
  gpu: Gpu | null;
  /**
   * The engine's verdict, `estimate.memory.fits` as it is: device memory within the GPU, or for the vLLM runtime one
   * request of the full length within the KV pool that --gpu-memory-utilization leaves. null without a GPU.
   */
  fits: boolean | null;
  /** The user's GPUs (llmFootprint.customGpus) the estimate was made with; every re-run uses them too. */
  customGpus?: readonly Gpu[];
  /** How DeepSpeed "auto" values were resolved, and other notes about joined files. */
  notes?: string[];
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
export function buildScenario(defaults: ScenarioInput, workload: WorkloadFile | null, spec: ModelSpec, gpuId: string | null, customGpus: readonly Gpu[] = [], notes: string[] = []): Scenario {
  const input: ScenarioInput = { ...defaults, ...(workload?.scenario ?? {}), ...resolvedAutos(defaults, workload, spec, notes) };
  if (workload?.kind === 'vllm') {
    input.runtime = 'vllm';
    input.mode = 'inference';
    // vLLM computes the logits of the last position only.
    delete input.logits;
    if (workload.scenario.seq === undefined && spec.maxPositions) input.seq = spec.maxPositions;
  }
  if (workload?.kind === 'vllm') {
    // vLLM's engine defaults depend on the GPU: max_num_seqs and max_num_batched_tokens, where neither file nor setting says.
    const engine = vllmEngineDefaults(findGpu(input.gpu ?? gpuId ?? '', customGpus) ?? null);
    if (workload.scenario.batch === undefined) input.batch = engine.maxNumSeqs;
    input.maxNumBatchedTokens ??= engine.maxNumBatchedTokens;
  }
  if (workload && workload.scenario.mode === 'training') delete input.newTokens;
  if (!input.gpu && gpuId) input.gpu = gpuId;
  if (input.mode === 'training') {
    input.newTokens = 0;
    if (input.runtime === 'vllm') input.runtime = 'pytorch';
  }
  return parseScenario(input);
}

/** DeepSpeed "auto" values: from the training file the JSON was joined with, then the settings' defaults. */
function resolvedAutos(defaults: ScenarioInput, w: WorkloadFile | null, spec: ModelSpec, notes: string[]): ScenarioInput {
  if (!w || (!w.autos?.length && w.extras['train_batch_size'] === undefined)) return {};
  // The settings always hold every field (package.json defaults): they stand in only for what the Trainer takes from
  // its arguments; bucket sizes come from the model and the world size from train_batch_size first.
  const { batch, gradAccumulation, precision } = defaults;
  const settings = namedSource({ batch, gradAccumulation, precision }, (f) => `llmFootprint.defaults.${f}`);
  const r = resolveAutos(w, autoSources(w, [], [settings]), spec.hidden);
  notes.push(...r.notes);
  return r.scenario;
}

export function analyze(kind: FileKind, config: Record<string, unknown>, spec: ModelSpec, scenario: Scenario, customGpus: readonly Gpu[] = []): Analysis {
  const estimate = estimateSpec(spec, scenario, { customGpus });
  const gpu = scenario.gpu ? (findGpu(scenario.gpu, customGpus) ?? null) : null;
  return { kind, config, spec, scenario, estimate, gpu, fits: estimate.memory.fits, customGpus };
}

/** The engine options of an analysis (its custom GPUs), for re-runs. */
export function engineOptions(a: Pick<Analysis, 'customGpus'>): EstimateOptions {
  return a.customGpus?.length ? { customGpus: a.customGpus } : {};
}

/**
 * vLLM: bytes of the profile run (one scheduler step's activations and the sampler's logits), which the engine keeps
 * as the allocator reserve of the budget; whichever phase is the peak, this is what comes out of the KV pool.
 */
export function profileRunBytes(e: Estimate): number {
  return e.memory.device_terms.find((t) => t.id === 'allocator_reserve')?.bytes ?? 0;
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

/**
 * The engine's term ids the editor's text and diagnostics read (src/core names them; a term keeps its id whatever
 * its label says: "Weights" and "Base weights (frozen)" are both `weights`).
 */
export type TermId =
  | 'weights'
  | 'gradients'
  | 'optimizer_states'
  | 'optimizer_temporaries'
  | 'lora_adapters'
  | 'modules_to_save'
  | 'autocast_weight_copies'
  | 'kv_cache'
  | 'activations'
  | 'activations_recompute'
  | 'logits';

/** Terms that grow with the tokens of a step (batch × sequence). */
export const TOKEN_TERMS: readonly TermId[] = ['activations', 'activations_recompute', 'logits', 'kv_cache'];
/** Terms that grow with the parameters. */
export const PARAMETER_TERMS: readonly TermId[] = ['weights', 'gradients', 'optimizer_states', 'optimizer_temporaries', 'autocast_weight_copies', 'lora_adapters', 'modules_to_save'];
/** Activations of training: saved for backward, the recomputed layer, the logits and loss. */
export const ACTIVATION_TERMS: readonly TermId[] = ['activations', 'activations_recompute', 'logits'];
export const OPTIMIZER_TERMS: readonly TermId[] = ['optimizer_states', 'optimizer_temporaries'];

/** GPU bytes of the terms with these ids. */
export function termBytes(e: Estimate, ids: TermId | readonly TermId[]): number {
  const wanted: readonly string[] = typeof ids === 'string' ? [ids] : ids;
  return e.memory.terms.filter((t) => t.where === 'gpu' && wanted.includes(t.id)).reduce((sum, t) => sum + t.bytes, 0);
}

/** Bytes of the weights term (frozen base or trained weights). */
export function weightsBytes(e: Estimate): number {
  return termBytes(e, 'weights');
}

/** Whether the token-proportional terms (activations, logits, KV cache) outweigh the parameter-proportional ones. */
export function tokenBound(e: Estimate): boolean {
  return termBytes(e, TOKEN_TERMS) >= termBytes(e, PARAMETER_TERMS);
}
