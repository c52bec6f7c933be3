/**
 * vLLM: the engine takes gpu_memory_utilization × the GPU's memory, profiles one scheduler step of
 * max_num_batched_tokens tokens (plus a sampler run over max_num_seqs rows), and gives what is left to a paged KV
 * pool. A setup fits when the pool holds one request of the full length; the pool over one request is vLLM's
 * "maximum concurrency". Without a target GPU the KV term holds every sequence at its full length instead.
 */
import type { ModelSpec, Term } from './types.ts';
import type { Scenario } from './scenario.ts';
import type { RuntimeProfile } from './runtime.ts';
import type { Gpu } from './roofline/hardware.ts';
import { FLOAT_BYTES, precisionPlan } from './dtypes.ts';
import { makeTerm } from './memory/term.ts';
import { ScenarioError } from './scenario.ts';
import { servingWeightsDtype, weightsTerm } from './memory/weights.ts';
import { kvBytesPerToken, kvCacheTerm } from './memory/kv-cache.ts';
import { inferencePeakPerToken } from './memory/activations.ts';
import { formatBytes } from './units.ts';
import { composePhases, workspaceTerm, type Composition, type PhaseRule } from './phases.ts';

/**
 * vLLM's engine defaults per device (EngineArgs, OpenAI server usage context): on a GPU of 70 GiB or more that is
 * not an A100, 1024 sequences and 8192 batched tokens per step; elsewhere 256 and 2048. Without a known GPU the
 * H100-class values are assumed.
 */
export function vllmEngineDefaults(gpu: Gpu | null): { maxNumSeqs: number; maxNumBatchedTokens: number } {
  const large = gpu === null || (gpu.memoryBytes >= 70 * 2 ** 30 && !/a100/i.test(gpu.id));
  return large ? { maxNumSeqs: 1024, maxNumBatchedTokens: 8192 } : { maxNumSeqs: 256, maxNumBatchedTokens: 2048 };
}

type ServingSlot = 'weights' | 'activations' | 'sampler' | 'kv_cache' | 'cuda_workspace';

const SERVING_PHASES: readonly PhaseRule<ServingSlot>[] = [
  { name: 'profile run', live: ['weights', 'activations', 'sampler', 'cuda_workspace'] },
  { name: 'serving', live: ['weights', 'kv_cache', 'cuda_workspace'] },
];

const PERSISTENT: ReadonlySet<Term['id']> = new Set(['weights', 'kv_cache']);

/** The profile run: one scheduler step of max_num_batched_tokens tokens through the largest layer, and the sampler's logits. */
function profileRunTerms(spec: ModelSpec, sc: Scenario, computeBytes: number, gpu: Gpu | null): { activations: Term; sampler: Term } {
  const batched = sc.maxNumBatchedTokens ?? vllmEngineDefaults(gpu).maxNumBatchedTokens;
  const tokens = Math.min(batched, sc.batch * (sc.seq + sc.newTokens));
  const perToken = inferencePeakPerToken(spec, computeBytes, computeBytes);
  const samplerPerLogit = computeBytes + 8;
  return {
    activations: makeTerm(
      {
        id: 'activations',
        label: 'Activations (profile run)',
        formula: 'tokens * peak_bytes_per_token',
        inputs: { tokens, peak_bytes_per_token: perToken },
        source: 'vLLM profile_run over max_num_batched_tokens; tensors alive at once in one decoder layer',
        note: `one scheduler step of ${tokens} tokens (chunked prefill)`,
      },
      tokens * perToken,
    ),
    sampler: makeTerm(
      {
        id: 'logits',
        label: 'Sampler logits (profile run)',
        formula: 'rows * vocab * bytes_per_logit',
        inputs: { rows: sc.batch, vocab: spec.vocab, bytes_per_logit: samplerPerLogit },
        source: 'vLLM _dummy_sampler_run over max_num_seqs rows: logits, fp32 copy and probabilities',
      },
      sc.batch * spec.vocab * samplerPerLogit,
    ),
  };
}

interface PoolInputs {
  budget: number;
  nonKv: number;
  profileBytes: number;
  oneRequest: number;
  requestTokens: number;
}

function kvPoolTerm(sc: Scenario, gpu: Gpu, rt: RuntimeProfile, p: PoolInputs): Term {
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache pool (preallocated)',
      formula: 'max(0, budget_bytes - non_kv_bytes)',
      inputs: { budget_bytes: p.budget, non_kv_bytes: p.nonKv },
      source: rt.source,
      note: `budget = ${sc.gpuMemoryUtilization} × ${formatBytes(gpu.memoryBytes)} (${gpu.name}); what it leaves after weights, the profile run (${formatBytes(p.profileBytes)}), workspaces and the CUDA context; ${formatBytes(p.oneRequest)} per ${p.requestTokens}-token request`,
    },
    Math.max(0, p.budget - p.nonKv),
  );
}

/** Without a GPU there is no budget: every sequence's KV at its full length. */
function unboundedKvTerm(spec: ModelSpec, sc: Scenario, blockTokens: number, kvBytes: number, rt: RuntimeProfile, warnings: string[]): Term {
  const kv = kvCacheTerm(spec, sc.batch, blockTokens, kvBytes, rt);
  kv.label = 'KV cache (every sequence at full length)';
  warnings.push(
    `no target GPU: the KV cache holds all ${sc.batch} sequences at ${sc.seq + sc.newTokens} tokens; vLLM sizes its pool from --gpu-memory-utilization × the GPU and queues what does not fit`,
  );
  return kv;
}

function concurrencyWarning(pool: Term, p: PoolInputs, batch: number, warnings: string[]): { fits: boolean; maxConcurrency: number } {
  const maxConcurrency = p.oneRequest > 0 ? Math.floor(pool.bytes / p.oneRequest) : 0;
  const fits = p.budget - p.nonKv >= p.oneRequest;
  if (!fits) {
    warnings.push(`vLLM cannot hold one ${p.requestTokens}-token request: the KV pool is ${formatBytes(pool.bytes)}, one request needs ${formatBytes(p.oneRequest)}`);
  } else if (maxConcurrency < batch) {
    warnings.push(`${maxConcurrency} of ${batch} sequences fit at the full ${p.requestTokens} tokens at once; vLLM queues the rest (shorter requests share the pool)`);
  }
  return { fits, maxConcurrency };
}

export function servingVllm(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Composition {
  const precision = precisionPlan(sc.precision);
  const computeBytes = FLOAT_BYTES[precision.compute];
  if (sc.kvDtype === 'int4' || sc.kvDtype === 'int2') {
    throw new ScenarioError(`kvDtype: ${sc.kvDtype} KV (transformers QuantizedCache) is not a vLLM cache dtype; use fp8 or auto with --runtime vllm`, 'kvDtype');
  }
  const kvBytes = sc.kvDtype === 'auto' ? computeBytes : FLOAT_BYTES[sc.kvDtype];
  const weights = weightsTerm(spec, servingWeightsDtype(spec, sc, precision.param, warnings), precision.compute);
  const workspace = workspaceTerm(rt, 1);
  const { activations, sampler } = profileRunTerms(spec, sc, computeBytes, gpu);
  const profileBytes = activations.bytes + sampler.bytes;
  // KV of one full-length request, in whole blocks.
  const requestTokens = sc.seq + sc.newTokens;
  const block = Math.max(1, rt.kvBlockTokens);
  const blockTokens = Math.ceil(requestTokens / block) * block;
  const oneRequest = kvCacheTerm(spec, 1, blockTokens, kvBytes, rt).bytes;
  warnings.push('vLLM CUDA-graph capture (typically 0.5–1 GiB more) is not modelled');
  const kvPerToken = kvBytesPerToken(spec, kvBytes);
  if (!gpu) {
    const kv = unboundedKvTerm(spec, sc, blockTokens, kvBytes, rt, warnings);
    const phases = composePhases(SERVING_PHASES, { weights, activations, sampler, cuda_workspace: workspace, kv_cache: kv });
    return { phases, persistentIds: PERSISTENT, trainable: 0, kvPerToken, reserveBytes: profileBytes, fits: undefined, serving: undefined };
  }

  const pool: PoolInputs = {
    budget: Math.floor(gpu.memoryBytes * sc.gpuMemoryUtilization),
    nonKv: weights.bytes + profileBytes + workspace.bytes + rt.cudaContextBytes,
    profileBytes,
    oneRequest,
    requestTokens,
  };
  const kv = kvPoolTerm(sc, gpu, rt, pool);
  const concurrency = concurrencyWarning(kv, pool, sc.batch, warnings);
  return {
    phases: composePhases(SERVING_PHASES, { weights, activations, sampler, cuda_workspace: workspace, kv_cache: kv }),
    persistentIds: PERSISTENT,
    trainable: 0,
    kvPerToken,
    reserveBytes: profileBytes,
    fits: concurrency.fits,
    serving: { budget_bytes: pool.budget, kv_pool_bytes: kv.bytes, kv_bytes_per_request: oneRequest, max_concurrency: concurrency.maxConcurrency },
  };
}
