/**
 * Runs the composer of the scenario's mode and runtime (training, PyTorch inference, vLLM serving) and reports the
 * peak phase, the device total and the fit. Parse once (readModelConfig), estimate many (estimateSpec): pure arithmetic.
 */
import type { ModelSpec, Term } from './types.ts';
import type { Estimate } from './report.ts';
import { ScenarioError, type Scenario } from './scenario.ts';
import { RUNTIMES, type RuntimeProfile } from './runtime.ts';
import { findGpu, type Gpu } from './roofline/hardware.ts';
import { unknownGpuError } from './input-checks.ts';
import { makeTerm, sumBytes, type TermInit } from './memory/term.ts';
import { attentionLabel } from './memory/kv-cache.ts';
import { servingVllm } from './serving.ts';
import { inference } from './inference.ts';
import { training } from './training/compose.ts';
import type { Composition, Phase } from './phases.ts';

export interface EstimateOptions {
  /** User-defined GPUs (settings), searched before the catalog. */
  customGpus?: readonly Gpu[];
}

function resolveGpu(id: string | null, opts: EstimateOptions): Gpu | null {
  if (id === null) return null;
  const g = findGpu(id, opts.customGpus);
  if (!g) throw unknownGpuError(id);
  return g;
}

/** Warnings every estimate of this model and scenario carries; throws on scenarios the runtime cannot run. */
function scenarioWarnings(spec: ModelSpec, sc: Scenario): string[] {
  const warnings: string[] = [...spec.assumptions];
  const tokens = sc.seq + (sc.mode === 'inference' ? sc.newTokens : 0);
  if (spec.maxPositions !== null && tokens > spec.maxPositions) warnings.push(`sequence of ${tokens} tokens exceeds max_position_embeddings ${spec.maxPositions}`);
  if (spec.moe) warnings.push('MoE activations assume balanced routing (top-k tokens per expert on average)');
  if (sc.runtime === 'vllm') {
    if (sc.mode === 'training') throw new ScenarioError('runtime: vllm serves models; training needs the pytorch runtime', 'runtime');
    if (sc.logits === 'all') throw new ScenarioError('logits: vllm computes logits of the last position only', 'logits');
  }
  return warnings;
}

function compose(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Composition {
  if (sc.mode === 'training') return training(spec, sc, rt, warnings);
  return sc.runtime === 'vllm' ? servingVllm(spec, sc, rt, gpu, warnings) : inference(spec, sc, rt, warnings);
}

/** The phase with the most live bytes (the first of equals). */
function peakPhase(phases: readonly Phase[]): { phase: Phase; bytes: number } {
  let best = { phase: phases[0]!, bytes: -1 };
  for (const phase of phases) {
    const bytes = sumBytes(phase.terms);
    if (bytes > best.bytes) best = { phase, bytes };
  }
  return best;
}

/** What nvidia-smi shows beyond the live tensors: the CUDA context and the caching allocator's reserve. */
function deviceTerms(rt: RuntimeProfile, composition: Composition, transientBytes: number): Term[] {
  const reserve = composition.reserveBytes;
  const context = makeTerm(
    {
      id: 'cuda_context',
      label: 'CUDA context and kernels',
      formula: 'context_bytes',
      inputs: { context_bytes: rt.cudaContextBytes },
      source: rt.source,
      note: 'outside the caching allocator; depends on GPU, driver and CUDA version',
    },
    rt.cudaContextBytes,
  );
  const allocator: Omit<TermInit, 'id' | 'label'> =
    reserve !== undefined
      ? { formula: 'profile_peak_bytes', inputs: { profile_peak_bytes: reserve }, source: rt.source, note: "the profile run's activations stay reserved by the caching allocator" }
      : {
          formula: 'round(transient_bytes * slack_fraction)',
          inputs: { transient_bytes: transientBytes, slack_fraction: rt.allocatorSlackFraction },
          source: 'PyTorch caching allocator: reserved − allocated across the calibration runs',
          note: 'cached blocks and fragmentation above the live peak',
        };
  const slack = reserve ?? Math.round(transientBytes * rt.allocatorSlackFraction);
  return [context, makeTerm({ id: 'allocator_reserve', label: 'Allocator reserve', ...allocator }, slack)];
}

function modelSummary(spec: ModelSpec): Estimate['model'] {
  return {
    type: spec.modelType,
    adapter: spec.adapter,
    hidden_size: spec.hidden,
    layers: spec.layers,
    heads: spec.heads,
    kv_heads: spec.kvHeads,
    head_dim: spec.headDim,
    vocab_size: spec.vocab,
    attention: attentionLabel(spec),
    moe: spec.moe ? { experts: spec.moe.experts, top_k: spec.moe.topK } : null,
  };
}

function memoryReport(composition: Composition, rt: RuntimeProfile, gpu: Gpu | null): Estimate['memory'] {
  const peak = peakPhase(composition.phases);
  const terms = peak.phase.terms.filter((t) => t.bytes > 0 || t.id === 'weights');
  const persistent = sumBytes(terms.filter((t) => composition.persistentIds.has(t.id)));
  const device = deviceTerms(rt, composition, peak.bytes - persistent);
  const deviceBytes = peak.bytes + sumBytes(device);
  return {
    peak_bytes: sumBytes(terms.filter((t) => t.where === 'gpu')),
    device_bytes: deviceBytes,
    fits: gpu ? (composition.fits ?? deviceBytes <= gpu.memoryBytes) : null,
    gpu: gpu ? { id: gpu.id, name: gpu.name, memory_bytes: gpu.memoryBytes } : null,
    host_bytes: sumBytes(terms.filter((t) => t.where === 'cpu')),
    nvme_bytes: sumBytes(terms.filter((t) => t.where === 'nvme')),
    ranks: [],
    host_fits: null,
    peak_phase: peak.phase.name,
    phases: composition.phases.map((p) => ({ phase: p.name, bytes: sumBytes(p.terms) })),
    terms,
    device_terms: device,
    kv_bytes_per_token: composition.kvPerToken,
    serving: composition.serving ?? null,
  };
}

export function estimateSpec(spec: ModelSpec, sc: Scenario, opts: EstimateOptions = {}): Estimate {
  const rt = RUNTIMES[sc.runtime];
  const gpu = resolveGpu(sc.gpu, opts);
  const warnings = scenarioWarnings(spec, sc);
  const composition = compose(spec, sc, rt, gpu, warnings);
  return {
    model: modelSummary(spec),
    params: { total: spec.params.total, trainable: composition.trainable, embedding: spec.params.embedding, active: spec.params.active },
    scenario: sc,
    memory: memoryReport(composition, rt, gpu),
    parallel: null,
    warnings,
  };
}
