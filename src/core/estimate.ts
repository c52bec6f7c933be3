/**
 * Runs the composer of the scenario's mode and runtime (training, PyTorch inference, vLLM serving) and reports the
 * peak phase, the device total and the fit. Parse once (readModelConfig), estimate many (estimateSpec): pure arithmetic.
 */
import type { ModelSpec, Term } from './types.ts';
import type { Estimate, ParallelLayout, RankMemory } from './report.ts';
import { ScenarioError, type Scenario } from './scenario.ts';
import { RUNTIMES, type RuntimeProfile } from './runtime.ts';
import { findGpu, type Gpu } from './roofline/hardware.ts';
import { unknownGpuError } from './input-checks.ts';
import { makeTerm, sumBytes } from './memory/term.ts';
import { attentionLabel } from './memory/kv-cache.ts';
import { servingVllm } from './serving.ts';
import { inference } from './inference.ts';
import { training } from './training/compose.ts';
import { methodFor } from './training/methods/index.ts';
import type { Composition, Phase } from './phases.ts';
import { isDistributed, parallelLayout } from './parallel/layout.ts';
import { trainingPlan } from './parallel/plans.ts';
import { rankKinds, type RankKind } from './parallel/ranks.ts';
import { timeReports } from './roofline/time.ts';

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

/**
 * Images in a multimodal model's sequence: each becomes `perImage` language-model tokens, so the sequence the
 * activations and the KV cache see grows by images × perImage. A trained vision tower's saved tensors are a training
 * term of their own; a frozen tower's forward temporaries (about 0.1 GB per image measured) are not counted.
 */
function withImageTokens(spec: ModelSpec, sc: Scenario, warnings: string[]): Scenario {
  if (sc.images === 0) return sc;
  const t = spec.imageTokens;
  if (!t) throw new ScenarioError(`images: ${spec.modelType} reads no images (a text-only model or one whose image tokens are not known)`, 'images');
  const added = sc.images * t.perImage;
  // Full fine-tuning trains the tower unless frozen (the composer counts its activations by the same rule).
  const trained = sc.mode === 'training' && methodFor(sc).id === 'full' && !sc.freezeVision && spec.visionTower !== undefined;
  warnings.push(
    `${sc.images} image${sc.images > 1 ? 's' : ''} × ${t.perImage} tokens (${t.basis}) add ${added} tokens to each sequence; ` +
      (trained ? "the vision tower is trained: its saved activations are counted (--freeze-vision or freeze_vision_tower freezes it)" : "the vision tower's forward temporaries are not counted (about 0.1 GB per image measured)"),
  );
  return { ...sc, seq: sc.seq + added };
}

function compose(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Composition {
  if (sc.mode === 'training') return training(spec, sc, rt, warnings);
  return sc.runtime === 'vllm' ? servingVllm(spec, sc, rt, gpu, warnings) : inference(spec, sc, rt, warnings);
}

/** One rank kind's composition: its own spec, its stage, its share of the sequence, the runtime's placement plan. */
function composeRank(kind: RankKind, sc: Scenario, layout: ParallelLayout, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Composition {
  if (sc.mode !== 'training') return compose(kind.spec, sc, rt, gpu, warnings);
  const rankScenario = layout.cp > 1 ? { ...sc, seq: Math.ceil(sc.seq / layout.cp) } : sc;
  return training(kind.spec, rankScenario, rt, warnings, {
    plan: trainingPlan(sc.runtime === 'deepspeed' ? 'deepspeed' : 'pytorch', layout),
    first: kind.first,
    last: kind.last,
    microBatchesInFlight: kind.microBatchesInFlight,
    sequenceShards: sc.sequenceParallel ? layout.tp : 1,
  });
}

/** Bytes of a phase's terms on the GPU (offloaded terms live on the host or NVMe). */
function gpuBytes(terms: readonly Term[]): number {
  let s = 0;
  for (const t of terms) if (t.where === 'gpu') s += t.bytes;
  return s;
}

/** The phase with the most live bytes on the GPU (the first of equals). */
function peakPhase(phases: readonly Phase[]): { phase: Phase; bytes: number } {
  let best = { phase: phases[0]!, bytes: -1 };
  for (const phase of phases) {
    const bytes = gpuBytes(phase.terms);
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
  const reserveTerm =
    reserve !== undefined
      ? makeTerm(
          {
            id: 'allocator_reserve',
            label: 'Allocator reserve',
            formula: 'profile_peak_bytes',
            inputs: { profile_peak_bytes: reserve },
            source: rt.source,
            note: "the profile run's activations stay reserved by the caching allocator",
          },
          reserve,
        )
      : makeTerm(
          {
            id: 'allocator_reserve',
            label: 'Allocator reserve',
            formula: 'round(transient_bytes * slack_fraction)',
            inputs: { transient_bytes: transientBytes, slack_fraction: rt.allocatorSlackFraction },
            source: 'PyTorch caching allocator: reserved − allocated across the calibration runs',
            note: 'cached blocks and fragmentation above the live peak',
          },
          Math.round(transientBytes * rt.allocatorSlackFraction),
        );
  return [context, reserveTerm];
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

/** The largest sum of one device's terms over the phases (the host's own peak need not be the GPU's). */
function largestOffDevice(phases: readonly Phase[], where: 'cpu' | 'nvme'): number {
  let largest = 0;
  for (const p of phases) {
    let bytes = 0;
    for (const t of p.terms) if (t.where === where) bytes += t.bytes;
    if (bytes > largest) largest = bytes;
  }
  return largest;
}

function memoryReport(composition: Composition, rt: RuntimeProfile, gpu: Gpu | null): Estimate['memory'] {
  const peak = peakPhase(composition.phases);
  const terms = peak.phase.terms.filter((t) => t.bytes > 0 || t.id === 'weights');
  const persistent = gpuBytes(terms.filter((t) => composition.persistentIds.has(t.id)));
  const device = deviceTerms(rt, composition, peak.bytes - persistent);
  // Paged optimizer states (CUDA unified memory) sit on the device but outside PyTorch's allocator and its peak.
  const unified = terms.filter((t) => t.where === 'unified').reduce((n, t) => n + t.bytes, 0);
  const deviceBytes = peak.bytes + unified + sumBytes(device);
  return {
    peak_bytes: peak.bytes,
    device_bytes: deviceBytes,
    fits: gpu ? (composition.fits ?? deviceBytes <= gpu.memoryBytes) : null,
    gpu: gpu ? { id: gpu.id, name: gpu.name, memory_bytes: gpu.memoryBytes } : null,
    host_bytes: largestOffDevice(composition.phases, 'cpu'),
    nvme_bytes: largestOffDevice(composition.phases, 'nvme'),
    ranks: [],
    host_fits: null,
    peak_phase: peak.phase.name,
    phases: composition.phases.map((p) => ({ phase: p.name, bytes: gpuBytes(p.terms) })),
    terms,
    device_terms: device,
    kv_bytes_per_token: composition.kvPerToken,
    serving: composition.serving ?? null,
  };
}

function rankMemory(kind: RankKind, memory: Estimate['memory']): RankMemory {
  return { rank: kind.name, count: kind.count, peak_bytes: memory.peak_bytes, device_bytes: memory.device_bytes, peak_phase: memory.peak_phase, fits: memory.fits, terms: memory.terms };
}

interface Distributed {
  memory: Estimate['memory'];
  layout: ParallelLayout;
  trainable: number;
  /** The most loaded rank's own model and scenario (its share of the layers, heads and sequence), for its time. */
  worstSpec: ModelSpec;
  worstScenario: Scenario;
}

/** Every kind of rank composed once; the report is the most loaded rank's, with the others beside it. */
function estimateRanks(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Distributed {
  const layout = parallelLayout(spec, sc);
  const ranks = rankKinds(spec, sc, layout).map((kind) => {
    const composition = composeRank(kind, sc, layout, rt, gpu, warnings);
    return { kind, composition, memory: memoryReport(composition, rt, gpu) };
  });
  const worst = ranks.reduce((a, b) => (b.memory.device_bytes > a.memory.device_bytes ? b : a));
  const ranksPerNode = layout.gpus_per_node;
  const hostPerRank = Math.max(...ranks.map((r) => r.memory.host_bytes));
  const nvmePerRank = Math.max(...ranks.map((r) => r.memory.nvme_bytes));
  const host = hostPerRank * ranksPerNode;
  const memory: Estimate['memory'] = {
    ...worst.memory,
    fits: gpu ? ranks.every((r) => r.memory.fits === true) : null,
    host_bytes: host,
    nvme_bytes: nvmePerRank * ranksPerNode,
    ranks: ranks.map((r) => rankMemory(r.kind, r.memory)),
    host_fits: sc.hostMemory === null ? null : host <= sc.hostMemory,
  };
  if (layout.dp > 1 || layout.tp > 1 || layout.pp > 1) warnings.push(`per GPU of ${layout.gpus} (${layout.strategy}: dp ${layout.dp}, tp ${layout.tp}, pp ${layout.pp}${layout.ep > 1 ? `, ep ${layout.ep}` : ''}${layout.cp > 1 ? `, cp ${layout.cp}` : ''})`);
  const worstScenario = sc.mode === 'training' && layout.cp > 1 ? { ...sc, seq: Math.ceil(sc.seq / layout.cp) } : sc;
  return { memory, layout, trainable: worst.composition.trainable, worstSpec: worst.kind.spec, worstScenario };
}

type TimeReports = Pick<Estimate, 'roofline' | 'time'>;
const COMPUTE_TIME = Symbol('computeTime');
const TIME = Symbol('time');

interface LazyTime {
  [COMPUTE_TIME]: () => TimeReports;
  [TIME]?: TimeReports;
}

function timeOf(e: LazyTime): TimeReports {
  return (e[TIME] ??= e[COMPUTE_TIME]());
}

/**
 * Every estimate's prototype: `roofline` and `time` are computed on first read and kept, so solves and sweeps that
 * only look at memory stay pure memory arithmetic. The getters live here, once, not on each estimate (an accessor
 * per object would give every estimate a hidden class of its own); `toJSON` writes them out for `--json`.
 */
const ESTIMATE_PROTOTYPE = {
  get roofline(): Estimate['roofline'] {
    return timeOf(this as unknown as LazyTime).roofline;
  },
  get time(): Estimate['time'] {
    return timeOf(this as unknown as LazyTime).time;
  },
  toJSON(this: Estimate) {
    return { model: this.model, params: this.params, scenario: this.scenario, memory: this.memory, parallel: this.parallel, warnings: this.warnings, roofline: this.roofline, time: this.time };
  },
};

function withTime(compute: () => TimeReports, base: Omit<Estimate, 'roofline' | 'time'>): Estimate {
  const e = Object.create(ESTIMATE_PROTOTYPE) as Estimate & LazyTime;
  e.model = base.model;
  e.params = base.params;
  e.scenario = base.scenario;
  e.memory = base.memory;
  e.parallel = base.parallel;
  e.warnings = base.warnings;
  Object.defineProperty(e, COMPUTE_TIME, { value: compute, writable: true });
  return e;
}

function needsRanks(sc: Scenario): boolean {
  return isDistributed(sc) || sc.tp > 1 || sc.pp > 1 || sc.cp > 1 || sc.ep > 1;
}

/**
 * Byte counts are exact integers: a scenario whose bytes leave 2^53 (where doubles stop counting every byte) is
 * refused, naming the largest term, rather than reported as a rounded float.
 */
function exactBytes(m: { peak_bytes: number; device_bytes: number; host_bytes: number; nvme_bytes: number; terms: readonly { id: string; bytes: number }[]; device_terms: readonly { id: string; bytes: number }[] }): void {
  const all = [...m.terms, ...m.device_terms, { id: 'peak', bytes: m.peak_bytes }, { id: 'device', bytes: m.device_bytes }, { id: 'host', bytes: m.host_bytes }, { id: 'nvme', bytes: m.nvme_bytes }];
  const bad = all.find((t) => !Number.isSafeInteger(t.bytes) || t.bytes < 0);
  if (bad) {
    const big = all.reduce((x, y) => (y.bytes > x.bytes ? y : x));
    throw new ScenarioError(`this setup needs more than 2^53 bytes (${big.id}: ≈ ${big.bytes.toExponential(2)} B), beyond what is counted exactly; lower the batch, the sequence length or the model size`, 'batch');
  }
}

export function estimateSpec(spec: ModelSpec, sc: Scenario, opts: EstimateOptions = {}): Estimate {
  const rt = RUNTIMES[sc.runtime];
  const gpu = resolveGpu(sc.gpu, opts);
  const warnings = scenarioWarnings(spec, sc);
  sc = withImageTokens(spec, sc, warnings);
  const params = { total: spec.params.total, embedding: spec.params.embedding, active: spec.params.active };
  if (needsRanks(sc)) {
    const d = estimateRanks(spec, sc, rt, gpu, warnings);
    const traffic = { layout: d.layout, spec: d.worstSpec, trainable: d.trainable, runtime: sc.runtime };
    exactBytes(d.memory);
    return withTime(() => timeReports(d.worstSpec, d.worstScenario, rt, gpu, d.trainable, undefined, traffic), {
      model: modelSummary(spec),
      params: { ...params, trainable: d.trainable },
      scenario: sc,
      memory: d.memory,
      parallel: d.layout,
      warnings: [...new Set(warnings)],
    });
  }
  const composition = compose(spec, sc, rt, gpu, warnings);
  const memory = memoryReport(composition, rt, gpu);
  exactBytes(memory);
  memory.ranks = [{ rank: 'the GPU', count: 1, peak_bytes: memory.peak_bytes, device_bytes: memory.device_bytes, peak_phase: memory.peak_phase, fits: memory.fits, terms: memory.terms }];
  memory.host_fits = sc.hostMemory === null ? null : memory.host_bytes <= sc.hostMemory;
  return withTime(() => timeReports(spec, sc, rt, gpu, composition.trainable), {
    model: modelSummary(spec),
    params: { total: params.total, trainable: composition.trainable, embedding: params.embedding, active: params.active },
    scenario: sc,
    memory,
    parallel: null,
    warnings,
  });
}
