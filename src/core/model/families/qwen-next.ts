/**
 * Qwen3-Next (Qwen3NextForCausalLM): a hybrid of Gated DeltaNet linear attention and gated full attention, every
 * layer a MoE with one gated shared expert (Qwen2-MoE style).
 *
 * Layer i is full attention when (i + 1) % full_attention_interval == 0, else linear (an explicit layer_types wins).
 * Linear attention (linear_attn), with key_dim = linear_num_key_heads · linear_key_head_dim and
 * value_dim = linear_num_value_heads · linear_value_head_dim:
 *   in_proj_qkvz [2·key_dim + 2·value_dim, H], in_proj_ba [2·linear_num_value_heads, H],
 *   conv1d [2·key_dim + value_dim, 1, linear_conv_kernel_dim] (no bias), dt_bias and A_log [linear_num_value_heads],
 *   norm (gated RMSNorm) [linear_value_head_dim], out_proj [H, value_dim].
 * Full attention (self_attn): q_proj [2·heads·head_dim, H] (query and output gate), k/v [kv·head_dim, H],
 *   o_proj [H, heads·head_dim], per-head q_norm / k_norm [head_dim].
 * Per-sequence state of a linear layer: conv (kernel − 1) × conv channels, recurrent linear_num_value_heads ×
 * key_head_dim × value_head_dim.
 */
import type { LinearMixerSpec, ModelSpec, RecurrentStateSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import { addEmbeddings, addGatedMlp, addMoe, type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export interface LinearAttentionDims {
  keyHeads: number;
  valueHeads: number;
  keyDim: number;
  valueDim: number;
  kernel: number;
}

/** The linear_* keys of a Gated DeltaNet layer (Qwen3-Next, Qwen3.5), with Qwen3NextConfig's defaults. */
export function readLinearAttention(r: ConfigReader, cls: string): LinearAttentionDims {
  return {
    keyHeads: r.defaulted('linear_num_key_heads', 16, LIMITS.heads, cls),
    valueHeads: r.defaulted('linear_num_value_heads', 32, LIMITS.heads, cls),
    keyDim: r.defaulted('linear_key_head_dim', 128, LIMITS.headDim, cls),
    valueDim: r.defaulted('linear_value_head_dim', 128, LIMITS.headDim, cls),
    kernel: r.defaulted('linear_conv_kernel_dim', 4, 1024, cls),
  };
}

export function linearState(r: ConfigReader, a: LinearAttentionDims): RecurrentStateSpec {
  const conv = 2 * a.keyHeads * a.keyDim + a.valueHeads * a.valueDim;
  const fp32 = ['mamba_ssm_dtype', 'mamba_ssm_cache_dtype'].some((k) => r.str(k) === 'float32');
  return {
    convElems: (a.kernel - 1) * conv,
    stateElems: a.valueHeads * a.keyDim * a.valueDim,
    ...(fp32 ? { stateBytes: 4 } : {}),
  };
}

/** The Gated DeltaNet mixer's widths; transformers' chunked delta rule works in chunks of 64 tokens. */
export function linearMixer(a: LinearAttentionDims): LinearMixerSpec {
  return {
    keyHeads: a.keyHeads,
    valueHeads: a.valueHeads,
    keyDim: a.keyDim,
    valueDim: a.valueDim,
    convDim: 2 * a.keyHeads * a.keyDim + a.valueHeads * a.valueDim,
    chunk: 64,
  };
}

export function addLinearAttention(t: Tensors, hidden: number, a: LinearAttentionDims, count: number): void {
  const key = a.keyHeads * a.keyDim;
  const value = a.valueHeads * a.valueDim;
  const p = `${L}.linear_attn`;
  t.linear(`${p}.in_proj_qkvz`, 'in_proj_qkvz', 2 * key + 2 * value, hidden, count);
  t.linear(`${p}.in_proj_ba`, 'in_proj_ba', 2 * a.valueHeads, hidden, count);
  t.add({ name: `${p}.conv1d.weight`, role: 'other', numel: (2 * key + value) * a.kernel, count });
  t.add({ name: `${p}.dt_bias`, role: 'other', numel: a.valueHeads, count });
  t.add({ name: `${p}.A_log`, role: 'other', numel: a.valueHeads, count });
  t.norm(`${p}.norm`, a.valueDim, count);
  t.linear(`${p}.out_proj`, 'out_proj', hidden, value, count);
}

export function readQwen3Next(r: ConfigReader, modelType: string): ModelSpec {
  const cls = 'Qwen3NextConfig';
  const d = readDims(r, { headDimDefault: 256 });
  const interval = r.optInt('full_attention_interval', 4, LIMITS.layers);
  const kinds = layerKinds(r, d.layers, { window: null, kind: (i) => ((i + 1) % interval === 0 ? 'full' : 'linear') });
  const full = kinds.filter((k) => k.attention === 'full').length;
  const linear = kinds.filter((k) => k.attention === 'linear').length;
  const a = readLinearAttention(r, cls);
  const experts = r.defaulted('num_experts', 512, LIMITS.experts, cls, { min: 0 });
  const step = r.optInt('decoder_sparse_step', 1, LIMITS.layers);
  const mlpOnly = new Set(r.intList('mlp_only_layers', LIMITS.layers));
  const moe: MoePlan = {
    experts,
    topK: r.defaulted('num_experts_per_tok', 10, Math.max(experts, 1), cls),
    expertIntermediate: r.defaulted('moe_intermediate_size', 512, LIMITS.intermediate, cls),
    isMoe: Array.from({ length: d.layers }, (_, i) => !mlpOnly.has(i) && experts > 0 && (i + 1) % step === 0),
    shared: {
      name: 'shared_expert',
      experts: 1,
      intermediate: r.defaulted('shared_expert_intermediate_size', 512, LIMITS.intermediate, cls, { min: 0 }),
      gate: true,
    },
  };
  const layersKinds = kinds.map((k, i) => ({ ...k, moe: moe.isMoe[i]! }));
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  const q = d.heads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  const bias = r.bool('attention_bias', false);
  t.linear(`${L}.self_attn.q_proj`, 'q_proj', 2 * q, d.hidden, full, { bias });
  t.linear(`${L}.self_attn.k_proj`, 'k_proj', kv, d.hidden, full, { bias });
  t.linear(`${L}.self_attn.v_proj`, 'v_proj', kv, d.hidden, full, { bias });
  t.linear(`${L}.self_attn.o_proj`, 'o_proj', d.hidden, q, full, { bias });
  t.norm(`${L}.self_attn.q_norm`, d.headDim, full);
  t.norm(`${L}.self_attn.k_norm`, d.headDim, full);
  addLinearAttention(t, d.hidden, a, linear);
  const moeLayers = addMoe(t, d.hidden, moe);
  addGatedMlp(t, `${L}.mlp`, d.hidden, d.intermediate, d.layers - moeLayers);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers);
  t.norm('model.norm', d.hidden, 1);
  r.assume('qwen3_next: multi-token-prediction weights (mtp.*) are not built by transformers and not counted');
  return finishSpec(r, {
    modelType,
    adapter: 'qwen3_next',
    dims: d,
    tied,
    // Qwen3NextRMSNorm applies (1 + weight) in fp32 (Gemma-style); q_proj's second half gates the attention output.
    block: { ...LLAMA_BLOCK, norm: 'rms_f32w', qkNorm: 'head', activation: activationOf(r, 'silu'), attnOutputGate: true },
    layerKinds: layersKinds,
    moe: moeSpecOf(moe),
    linearState: linearState(r, a),
    linearMixer: linearMixer(a),
    tensors: t,
  });
}
