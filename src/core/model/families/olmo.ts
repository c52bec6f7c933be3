/** OLMo (non-parametric LayerNorm), OLMo 2 (post-norms, full-width q/k RMSNorm), OLMoE (MoE, full-width q/k norm). */
import type { ModelSpec } from '../../types.ts';
import { activationOf, layerKinds, readDims } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';

/** OlmoForCausalLM: LayerNorm without weight or bias (no parameters at all), untied by default. */
export function readOlmo(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'olmo',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null },
    mlpBias: false,
    norms: PRE_NORMS,
    normWeights: false,
    block: { norm: 'layer', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null }),
  });
}

/**
 * Olmo2ForCausalLM: norms after attention and after the MLP (post_attention_layernorm, post_feedforward_layernorm),
 * q_norm over heads·head_dim and k_norm over kv_heads·head_dim; the RMSNorm weight is applied in fp32.
 */
export function readOlmo2(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'olmo2',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: {
      qkvBias: bias,
      oBias: bias,
      qNorm: dims.heads * dims.headDim,
      kNorm: dims.kvHeads * dims.headDim,
    },
    mlpBias: false,
    norms: ['post_attention_layernorm', 'post_feedforward_layernorm'],
    block: { norm: 'rms_f32w', qkNorm: 'full', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null }),
  });
}

/** OlmoeForCausalLM: every layer a top-k MoE of intermediate_size experts; q_norm over hidden_size. */
export function readOlmoe(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  const experts = r.defaulted('num_experts', 64, LIMITS.experts, 'OlmoeConfig');
  const moe: MoePlan = {
    experts,
    topK: r.defaulted('num_experts_per_tok', 8, experts, 'OlmoeConfig'),
    expertIntermediate: dims.intermediate,
    isMoe: Array.from({ length: dims.layers }, () => true),
  };
  return buildLlamaLike(r, {
    modelType,
    adapter: 'olmoe',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: {
      qkvBias: bias,
      oBias: bias,
      qNorm: dims.hidden,
      kNorm: Math.floor(dims.hidden / dims.heads) * dims.kvHeads,
    },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { qkNorm: 'full', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null, moe: () => true }),
    moe,
  });
}
