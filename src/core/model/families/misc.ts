/**
 * Llama-like families that differ in a few tensors: EXAONE 4 (post-norms only, per-head q/k norms, a sliding-window
 * pattern), ERNIE 4.5 (use_bias on q/k/v/o, tied by default) and its MoE (dense first layers, experts + shared
 * experts, a per-layer e_score_correction_bias parameter; "head_dim": null read as absent), MiniMax-M2 (every layer a top-k MoE with fused experts
 * of intermediate_size, full-width q/k norms) and MiMo (Qwen2 plus num_nextn_predict_layers multi-token-prediction
 * layers, loaded by its remote code).
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, layerKinds, readDims, readWindow } from '../common.ts';
import { buildLlamaLike, type MoePlan, PRE_NORMS } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { readQwen2 } from './qwen.ts';

/** EXAONE 4: sliding_window_pattern N (layer i full when (i + 1) % N == 0) or a string of L/G per layer, cycled. */
function exaoneSliding(r: ConfigReader): (i: number) => boolean {
  const raw = r.raw['sliding_window_pattern'];
  if (typeof raw === 'string' && /^[LG]+$/.test(raw)) return (i) => raw[i % raw.length] === 'L';
  const n = r.optInt('sliding_window_pattern', 4, LIMITS.layers);
  return (i) => (i + 1) % n !== 0;
}

export function readExaone4(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const window = readWindow(r);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'exaone4',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: false, oBias: false, qNorm: dims.headDim, kNorm: dims.headDim },
    mlpBias: false,
    norms: ['post_attention_layernorm', 'post_feedforward_layernorm'],
    block: { qkNorm: 'head', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window, sliding: exaoneSliding(r) }),
  });
}

export function readErnie45(r: ConfigReader, modelType: string): ModelSpec {
  return buildErnie(r, modelType, 'ernie4_5', null);
}

/** ERNIE 4.5 dense or MoE: `use_bias` on attention and MLP, tied by default, pre-norms. */
function buildErnie(r: ConfigReader, modelType: string, adapter: string, moePlan: typeof ernieMoePlan | null): ModelSpec {
  const dims = readDims(r);
  const bias = r.bool('use_bias', false);
  const moe = moePlan ? moePlan(r, dims.layers) : null;
  return buildLlamaLike(r, {
    modelType,
    adapter,
    dims,
    tied: r.bool('tie_word_embeddings', true),
    attention: { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null },
    mlpBias: bias,
    norms: PRE_NORMS,
    block: { activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, moe ? { window: null, moe: (i) => moe.isMoe[i]! } : { window: null }),
    moe,
  });
}

/** ERNIE 4.5 MoE: layer i is MoE when (i + 1) % moe_layer_interval == 0 and start ≤ i ≤ end (end null: the last). */
function ernieMoePlan(r: ConfigReader, layers: number): MoePlan {
  const cls = 'Ernie4_5_MoeConfig';
  const experts = r.defaulted('moe_num_experts', 64, LIMITS.experts, cls);
  const interval = r.optInt('moe_layer_interval', 1, LIMITS.layers);
  const start = r.optInt('moe_layer_start_index', 1, LIMITS.layers, { min: 0 });
  const end = r.optInt('moe_layer_end_index', layers - 1, LIMITS.layers, { min: 0 });
  const shared = r.optInt('moe_num_shared_experts', 0, LIMITS.experts, { min: 0 });
  const I = r.defaulted('moe_intermediate_size', 1536, LIMITS.intermediate, cls);
  return {
    experts,
    topK: r.defaulted('moe_k', 6, experts, cls),
    expertIntermediate: I,
    isMoe: Array.from({ length: layers }, (_, i) => (i + 1) % interval === 0 && i >= start && i <= end),
    routerBias: 'mlp.moe_statics.e_score_correction_bias',
    ...(shared > 0 ? { shared: { name: 'shared_experts', experts: shared, intermediate: I, gate: false, bias: r.bool('use_bias', false) } } : {}),
  };
}

/** ERNIE 4.5 MoE (21B-A3B, 300B-A47B): ERNIE 4.5 attention, dense first layers, experts plus shared experts. */
export function readErnie45Moe(r: ConfigReader, modelType: string): ModelSpec {
  return buildErnie(r, modelType, 'ernie4_5_moe', ernieMoePlan);
}

export function readMinimaxM2(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r);
  const experts = r.int('num_local_experts', LIMITS.experts);
  const topK = r.int('num_experts_per_tok', experts);
  const qk = r.bool('use_qk_norm', true);
  const moe: MoePlan = { experts, topK, expertIntermediate: dims.intermediate, isMoe: Array.from({ length: dims.layers }, () => true) };
  return buildLlamaLike(r, {
    modelType,
    adapter: 'minimax_m2',
    dims,
    tied: r.bool('tie_word_embeddings', false),
    attention: { qkvBias: false, oBias: false, qNorm: qk ? dims.heads * dims.headDim : null, kNorm: qk ? dims.kvHeads * dims.headDim : null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { qkNorm: qk ? 'full' : 'none', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, dims.layers, { window: null, moe: () => true }),
    moe,
  });
}

/**
 * MiMo: Qwen2 tensors plus, per num_nextn_predict_layers, one MTP layer (remote code MiMoMTPLayers): token_layernorm,
 * hidden_layernorm, input_layernorm, post_attention_layernorm, final_layernorm [H], input_proj [H, 2H], a Qwen2
 * attention (q/k/v bias) and MLP. They are in the checkpoint and on the GPU with the model.
 */
export function readMimo(r: ConfigReader, modelType: string): ModelSpec {
  const spec = readQwen2(r, modelType);
  const n = r.optInt('num_nextn_predict_layers', 0, LIMITS.layers, { min: 0 });
  if (n === 0) return { ...spec, adapter: 'mimo' };
  const { hidden: H, heads, kvHeads, headDim, intermediate: I } = spec;
  const q = heads * headDim;
  const kv = kvHeads * headDim;
  const M = 'model.mtp_layers.*';
  const groups = [
    { name: `${M}.norms`, role: 'norm' as const, numel: 5 * H, count: n },
    { name: `${M}.input_proj.weight`, role: 'linear' as const, numel: 2 * H * H, count: n },
    { name: `${M}.self_attn.qkv`, role: 'linear' as const, numel: H * (q + 2 * kv) + q + 2 * kv, count: n },
    { name: `${M}.self_attn.o_proj.weight`, role: 'linear' as const, numel: q * H, count: n },
    { name: `${M}.mlp`, role: 'linear' as const, numel: 3 * H * I, count: n },
  ];
  const extra = groups.reduce((s, g) => s + g.numel * g.count, 0);
  r.assume(`mimo: ${n} multi-token-prediction layer(s) counted (${extra} parameters, loaded by the remote code)`);
  const params = { ...spec.params, total: spec.params.total + extra, active: spec.params.active + extra };
  return { ...spec, adapter: 'mimo', tensors: [...spec.tensors, ...groups], params };
}
