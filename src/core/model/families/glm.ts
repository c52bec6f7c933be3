/**
 * GLM-4.5 / GLM-4.6 (Glm4MoeForCausalLM): Llama-like attention (q/k/v biases with attention_bias, no o bias,
 * optional per-head q/k RMSNorm with use_qk_norm, partial RoPE which has no weights), the first
 * first_k_dense_replace layers dense (intermediate_size), the rest DeepSeek-V3-style MoE: router [E, H], E experts
 * of moe_intermediate_size and n_shared_experts shared ones. The router's e_score_correction_bias is a buffer, and
 * the next-token-prediction layer (num_nextn_predict_layers) is not built by transformers: neither is counted.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, layerKinds, readDims } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';

export function readGlm4Moe(r: ConfigReader, modelType: string): ModelSpec {
  const cls = 'Glm4MoeConfig';
  const dims = readDims(r, { headDimDefault: 128 });
  const experts = r.defaulted('n_routed_experts', 128, LIMITS.experts, cls);
  const firstDense = r.optInt('first_k_dense_replace', 1, LIMITS.layers, { min: 0 });
  const expertIntermediate = r.defaulted('moe_intermediate_size', 1408, LIMITS.intermediate, cls);
  const shared = r.optInt('n_shared_experts', 1, LIMITS.experts, { min: 0 });
  const moe: MoePlan = {
    experts,
    topK: r.defaulted('num_experts_per_tok', 8, experts, cls),
    expertIntermediate,
    isMoe: Array.from({ length: dims.layers }, (_, i) => i >= firstDense),
    ...(shared > 0 ? { shared: { name: 'shared_experts', experts: shared, intermediate: expertIntermediate, gate: false } } : {}),
  };
  if (r.has('num_nextn_predict_layers'))
    r.assume('num_nextn_predict_layers: the multi-token-prediction layer is not built by transformers and not counted');
  const qk = r.bool('use_qk_norm', false);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'glm4_moe',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: r.bool('attention_bias', false), oBias: false, qNorm: qk ? dims.headDim : null, kNorm: qk ? dims.headDim : null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { ...(qk ? { qkNorm: 'head' as const } : {}), activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null, moe: (i) => moe.isMoe[i]! }),
    moe,
  });
}
