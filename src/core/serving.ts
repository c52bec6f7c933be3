/**
 * vLLM: the engine takes gpu_memory_utilization × the GPU's memory, profiles one scheduler step of
 * max_num_batched_tokens tokens (plus a sampler run over max_num_seqs rows), and gives what is left to a paged KV
 * pool. A setup fits when the pool holds one request of the full length; the pool over one request is vLLM's
 * "maximum concurrency". Without a target GPU the KV term holds every sequence at its full length instead.
 */
import type { ModelSpec } from './types.ts';
import type { Scenario } from './scenario.ts';
import type { RuntimeProfile } from './runtime.ts';
import type { Gpu } from './roofline/hardware.ts';
import { FLOAT_BYTES, precisionPlan } from './dtypes.ts';
import { makeTerm } from './memory/term.ts';
import { servingWeightsDtype, weightsTerm } from './memory/weights.ts';
import { kvBytesPerToken, kvCacheTerm } from './memory/kv-cache.ts';
import { inferencePeakPerToken } from './memory/activations.ts';
import { formatBytes } from './units.ts';
import { workspaceTerm, type Composition } from './phases.ts';

export function servingVllm(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, warnings: string[]): Composition {
  const plan = precisionPlan(sc.precision);
  const a = FLOAT_BYTES[plan.compute];
  const kvBytes = sc.kvDtype === 'auto' ? a : FLOAT_BYTES[sc.kvDtype];
  const weights = weightsTerm(spec, servingWeightsDtype(spec, sc, plan.param, warnings), plan.compute);
  const ws = workspaceTerm(rt, 1);

  // Profile run: one step of max_num_batched_tokens tokens through the largest layer, and the sampler's logits.
  const reqTokens = sc.seq + sc.newTokens;
  const profTokens = Math.min(sc.maxNumBatchedTokens, sc.batch * reqTokens);
  const perTok = inferencePeakPerToken(spec, a, a);
  const acts = makeTerm(
    {
      id: 'activations',
      label: 'Activations (profile run)',
      formula: 'tokens * peak_bytes_per_token',
      inputs: { tokens: profTokens, peak_bytes_per_token: perTok },
      source: 'vLLM profile_run over max_num_batched_tokens; tensors alive at once in one decoder layer',
      note: `one scheduler step of ${profTokens} tokens (chunked prefill)`,
    },
    profTokens * perTok,
  );
  const samplerPer = a + 8;
  const sampler = makeTerm(
    {
      id: 'logits',
      label: 'Sampler logits (profile run)',
      formula: 'rows * vocab * bytes_per_logit',
      inputs: { rows: sc.batch, vocab: spec.vocab, bytes_per_logit: samplerPer },
      source: 'vLLM _dummy_sampler_run over max_num_seqs rows: logits, fp32 copy and probabilities',
    },
    sc.batch * spec.vocab * samplerPer,
  );
  const profile = acts.bytes + sampler.bytes;

  // KV of one full-length request, in whole blocks.
  const block = Math.max(1, rt.kvBlockTokens);
  const blockTokens = Math.ceil(reqTokens / block) * block;
  const oneRequest = kvCacheTerm(spec, 1, blockTokens, kvBytes, rt).bytes;
  warnings.push('vLLM CUDA-graph capture (typically 0.5–1 GiB more) is not modelled');

  const phases = [{ name: 'profile run', terms: [weights, acts, sampler, ws] }];
  if (!gpu) {
    const kv = kvCacheTerm(spec, sc.batch, blockTokens, kvBytes, rt);
    kv.label = 'KV cache (every sequence at full length)';
    phases.push({ name: 'serving', terms: [weights, kv, ws] });
    warnings.push(
      `no target GPU: the KV cache holds all ${sc.batch} sequences at ${reqTokens} tokens; vLLM sizes its pool from --gpu-memory-utilization × the GPU and queues what does not fit`,
    );
    return { phases, persistentIds: new Set(['weights', 'kv_cache']), trainable: 0, kvPerToken: kvBytesPerToken(spec, kvBytes), reserveBytes: profile };
  }

  const nonKv = weights.bytes + profile + ws.bytes + rt.cudaContextBytes;
  const budget = Math.floor(gpu.memoryBytes * sc.gpuMemoryUtilization);
  const pool = makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache pool (preallocated)',
      formula: 'max(0, budget_bytes - non_kv_bytes)',
      inputs: { budget_bytes: budget, non_kv_bytes: nonKv },
      source: rt.source,
      note: `budget = ${sc.gpuMemoryUtilization} × ${formatBytes(gpu.memoryBytes)} (${gpu.name}); what it leaves after weights, the profile run (${formatBytes(profile)}), workspaces and the CUDA context; ${formatBytes(oneRequest)} per ${reqTokens}-token request`,
    },
    Math.max(0, budget - nonKv),
  );
  phases.push({ name: 'serving', terms: [weights, pool, ws] });
  const maxConcurrency = oneRequest > 0 ? Math.floor(pool.bytes / oneRequest) : 0;
  const fits = budget - nonKv >= oneRequest;
  if (!fits) {
    warnings.push(`vLLM cannot hold one ${reqTokens}-token request: the KV pool is ${formatBytes(pool.bytes)}, one request needs ${formatBytes(oneRequest)}`);
  } else if (maxConcurrency < sc.batch) {
    warnings.push(`${maxConcurrency} of ${sc.batch} sequences fit at the full ${reqTokens} tokens at once; vLLM queues the rest (shorter requests share the pool)`);
  }
  return {
    phases,
    persistentIds: new Set(['weights', 'kv_cache']),
    trainable: 0,
    kvPerToken: kvBytesPerToken(spec, kvBytes),
    reserveBytes: profile,
    fits,
    serving: { budget_bytes: budget, kv_pool_bytes: pool.bytes, kv_bytes_per_request: oneRequest, max_concurrency: maxConcurrency },
  };
}
