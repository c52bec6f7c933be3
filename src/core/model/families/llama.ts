/** Llama (incl. old LLaMA configs without num_key_value_heads), Mistral, Mixtral, and the unknown-family fallback. */
import type { ModelSpec } from '../../types.ts';
import { activationOf, type Dims, layerKinds, readDims, readWindow } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';

const NO_QK_NORM = { qNorm: null, kNorm: null };

/** LlamaForCausalLM: untied by default; attention_bias puts biases on q, k, v and o; mlp_bias on the MLP. */
export function readLlama(r: ConfigReader, modelType: string): ModelSpec {
  if (!r.has('num_key_value_heads')) r.assume('"num_key_value_heads" missing: multi-head attention (kv heads = heads)');
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'llama',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, ...NO_QK_NORM },
    mlpBias: r.bool('mlp_bias', false),
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null }),
  });
}

/** MistralForCausalLM: Llama without biases, every layer slides when sliding_window is set. */
export function readMistral(r: ConfigReader, modelType: string): ModelSpec {
  return mistralLike(r, modelType, 'mistral', readDims(r), null);
}

/** MixtralForCausalLM: Mistral attention, every layer a top-k MoE of SwiGLU experts of intermediate_size. */
export function readMixtral(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const experts = r.int('num_local_experts', LIMITS.experts);
  const topK = r.int('num_experts_per_tok', experts);
  const moe: MoePlan = {
    experts,
    topK,
    expertIntermediate: dims.intermediate,
    isMoe: Array.from({ length: dims.layers }, () => true),
  };
  return mistralLike(r, modelType, 'mixtral', dims, moe);
}

function mistralLike(r: ConfigReader, modelType: string, adapter: string, dims: Dims, moe: MoePlan | null): ModelSpec {
  return buildLlamaLike(r, {
    modelType,
    adapter,
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: false, oBias: false, ...NO_QK_NORM },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: readWindow(r), moe: () => moe !== null }),
    ...(moe ? { moe } : {}),
  });
}

/** Keys of features the Llama-like fallback does not read: named in the assumptions when present. */
const IGNORED_BY_FALLBACK = [
  'first_k_dense_replace',
  'mlp_only_layers',
  'decoder_sparse_step',
  'n_shared_experts',
  'shared_expert_intermediate_size',
  'full_attention_interval',
  'hybrid_override_pattern',
  'layers_block_type',
  'ssm_state_size',
  'conv_kernel',
  'attention_chunk_size',
];

/**
 * Unknown model_type: a best-effort Llama-like spec from the usual keys (a Mixtral-like MoE when the config names
 * experts), with an assumption saying so.
 */
export function readUnknown(r: ConfigReader, modelType: string | null): ModelSpec {
  const what = modelType === null ? 'no "model_type"' : `unknown model_type "${modelType}"`;
  const moeKey = ['num_local_experts', 'num_experts', 'n_routed_experts'].find((k) => r.has(k));
  r.assume(
    `${what}: read as a Llama-like decoder (RMSNorm, q/k/v/o attention, gated MLP${moeKey ? `, MoE from "${moeKey}"` : ''}); ` +
      'parameter counts are estimates',
  );
  const ignored = IGNORED_BY_FALLBACK.filter((k) => r.has(k));
  const mamba = Object.keys(r.raw).filter((k) => k.startsWith('mamba_') && r.has(k));
  if (ignored.length + mamba.length > 0)
    r.assume(`keys the Llama-like reading ignores: ${[...ignored, ...mamba].join(', ')}; the estimate may be wrong for this model`);
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  let moe: MoePlan | null = null;
  if (moeKey) {
    const experts = r.int(moeKey, LIMITS.experts, { min: 0 });
    if (experts > 0)
      moe = {
        experts,
        topK: r.defaulted('num_experts_per_tok', Math.min(2, experts), experts, 'assumed'),
        expertIntermediate: r.optInt('moe_intermediate_size', dims.intermediate, LIMITS.intermediate),
        isMoe: Array.from({ length: dims.layers }, () => true),
      };
  }
  const window = r.bool('use_sliding_window', true) ? readWindow(r) : null;
  return buildLlamaLike(r, {
    modelType: modelType ?? 'unknown',
    adapter: 'llama-like',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, ...NO_QK_NORM },
    mlpBias: r.bool('mlp_bias', false),
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window, moe: () => moe !== null }),
    moe,
  });
}
