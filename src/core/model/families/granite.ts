/**
 * IBM Granite 3 (granite: Llama tensors; the embedding/residual/attention/logits multipliers are scalars, not
 * parameters) and Granite 3 MoE (granitemoe: every layer a top-k MoE whose experts are stored fused —
 * input_linear [E, 2I, H], output_linear [E, H, I] — and a bias-free router [E, H]; no dense MLP). Both untied by
 * default (GraniteConfig / GraniteMoeConfig), the published checkpoints set tie_word_embeddings true.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, layerKinds, readDims } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';

export function readGranite(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'granite',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null },
    mlpBias: r.bool('mlp_bias', false),
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null }),
  });
}

export function readGraniteMoe(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const experts = r.int('num_local_experts', LIMITS.experts);
  const topK = r.int('num_experts_per_tok', experts);
  const bias = r.bool('attention_bias', false);
  const moe: MoePlan = {
    experts,
    topK,
    expertIntermediate: dims.intermediate,
    isMoe: Array.from({ length: dims.layers }, () => true),
    router: 'block_sparse_moe.router',
  };
  return buildLlamaLike(r, {
    modelType,
    adapter: 'granitemoe',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null, moe: () => true }),
    moe,
  });
}

/** SmolLM3: Llama tensors, tied by default; NoPE layers (no_rope_layers) change no weight. */
export function readSmolLm3(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('attention_bias', false);
  const window = r.bool('use_sliding_window', false) ? r.optInt('sliding_window', null, LIMITS.window) : null;
  return buildLlamaLike(r, {
    modelType,
    adapter: 'smollm3',
    dims,
    tied: r.bool('tie_word_embeddings', true),
    attention: { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null },
    mlpBias: r.bool('mlp_bias', false),
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window }),
  });
}
