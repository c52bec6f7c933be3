/** Qwen2 / Qwen2-MoE (Qwen1.5-MoE) / Qwen3 / Qwen3-MoE. */
import type { ModelSpec } from '../../types.ts';
import { activationOf, type Dims, layerKinds, readDims, readWindow } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';

/**
 * Qwen's sliding window: only with use_sliding_window, and only in layers i ≥ max_window_layers
 * (transformers' layer_types default). An explicit layer_types wins.
 */
function qwenLayerKinds(r: ConfigReader, d: Dims, isMoe?: boolean[]) {
  const window = r.bool('use_sliding_window', false) ? readWindow(r) : null;
  const maxWindowLayers = r.optInt('max_window_layers', 28, LIMITS.layers, { min: 0 });
  return layerKinds(r, d.layers, {
    window,
    sliding: (i) => i >= maxWindowLayers,
    moe: (i) => isMoe?.[i] ?? false,
  });
}

/** Qwen MoE layer rule: not in mlp_only_layers, and (i + 1) divisible by decoder_sparse_step. */
function qwenMoePlan(r: ConfigReader, d: Dims, cls: string, defaults: { experts: number; topK: number; inter: number }): MoePlan {
  const experts = r.defaulted('num_experts', defaults.experts, LIMITS.experts, cls, { min: 0 });
  const topK = r.defaulted('num_experts_per_tok', defaults.topK, Math.max(experts, 1), cls);
  const expertIntermediate = r.defaulted('moe_intermediate_size', defaults.inter, LIMITS.intermediate, cls);
  const step = r.optInt('decoder_sparse_step', 1, LIMITS.layers);
  const mlpOnly = new Set(r.intList('mlp_only_layers', LIMITS.layers));
  const isMoe = Array.from({ length: d.layers }, (_, i) => !mlpOnly.has(i) && experts > 0 && (i + 1) % step === 0);
  return { experts, topK, expertIntermediate, isMoe };
}

/** Qwen2ForCausalLM: bias on q, k, v (none on o); untied by default. */
export function readQwen2(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'qwen2',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: true, oBias: false, qNorm: null, kNorm: null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: qwenLayerKinds(r, dims),
  });
}

/** Qwen2MoeForCausalLM: q/k/v bias (qkv_bias), routed experts + one gated shared expert per MoE layer. */
export function readQwen2Moe(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const cls = 'Qwen2MoeConfig';
  const moe = qwenMoePlan(r, dims, cls, { experts: 60, topK: 4, inter: 1408 });
  moe.shared = {
    name: 'shared_expert',
    experts: 1,
    intermediate: r.defaulted('shared_expert_intermediate_size', 5632, LIMITS.intermediate, cls, { min: 0 }),
    gate: true,
  };
  return buildLlamaLike(r, {
    modelType,
    adapter: 'qwen2_moe',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: r.bool('qkv_bias', true), oBias: false, qNorm: null, kNorm: null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: qwenLayerKinds(r, dims, moe.isMoe),
    moe,
  });
}

/** Qwen3ForCausalLM: per-head RMSNorm on q and k, head_dim 128 by default, attention_bias on q/k/v/o. */
export function readQwen3(r: ConfigReader, modelType: string): ModelSpec {
  return qwen3Like(r, modelType, 'qwen3', readDims(r, { headDimDefault: 128 }), null);
}

/** Qwen3MoeForCausalLM: Qwen3 attention, routed experts only (no shared expert). */
export function readQwen3Moe(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r, { headDimDefault: 128 });
  const moe = qwenMoePlan(r, dims, 'Qwen3MoeConfig', { experts: 128, topK: 8, inter: 768 });
  return qwen3Like(r, modelType, 'qwen3_moe', dims, moe);
}

function qwen3Like(r: ConfigReader, modelType: string, adapter: string, dims: Dims, moe: MoePlan | null): ModelSpec {
  const bias = r.bool('attention_bias', false);
  return buildLlamaLike(r, {
    modelType,
    adapter,
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, qNorm: dims.headDim, kNorm: dims.headDim },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { qkNorm: 'head', activation: activationOf(r, 'silu') },
    layerKinds: qwenLayerKinds(r, dims, moe?.isMoe),
    ...(moe ? { moe } : {}),
  });
}
