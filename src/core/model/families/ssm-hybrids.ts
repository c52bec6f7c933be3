/**
 * Hybrids of state-space (Mamba) mixers and attention under model.layers.*, with input_layernorm, pre_ff_layernorm
 * and model.final_layernorm.
 *
 * Jamba (JambaForCausalLM): each layer is one mixer, attention when i % attn_layer_period == attn_layer_offset, else
 * Mamba-1; its feed-forward is a MoE when i % expert_layer_period == expert_layer_offset, else a gated MLP. Mamba-1
 * mixer, with d_inner = mamba_expand · H and R = mamba_dt_rank ("auto": ⌈H / 16⌉):
 *   in_proj [2·d_inner, H] (+bias with mamba_proj_bias), conv1d [d_inner, 1, mamba_d_conv] (+bias with
 *   mamba_conv_bias), x_proj [R + 2·mamba_d_state, d_inner], dt_proj [d_inner, R] + bias, A_log [d_inner, d_state],
 *   D [d_inner], out_proj [H, d_inner] (+bias), dt_layernorm [R], b_layernorm and c_layernorm [d_state].
 *   MoE: router [E, H], E gated experts of intermediate_size. State per sequence: conv (d_conv − 1) × d_inner,
 *   SSM d_inner × d_state.
 *
 * Falcon-H1 (FalconH1ForCausalLM): every layer has attention (self_attn) and a Mamba-2 mixer (mamba) side by side,
 * then a gated MLP (feed_forward). Mamba-2, with d_ssm = mamba_d_ssm (else mamba_expand · H), heads = mamba_n_heads,
 * conv_dim = d_ssm + 2 · mamba_n_groups · mamba_d_state: in_proj [d_ssm + conv_dim + heads, H], conv1d
 * [conv_dim, 1, d_conv] (+bias), dt_bias, A_log, D [heads], norm [d_ssm] only with mamba_rms_norm, out_proj [H, d_ssm].
 * The µP multipliers scale activations, not shapes. State per sequence: conv (d_conv − 1) × conv_dim, SSM heads ×
 * mamba_d_head × d_state.
 */
import type { LayerSpec, MambaMixerSpec, ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, LLAMA_BLOCK, readDims } from '../common.ts';
import { addAttention, addEmbeddings, addGatedMlp, type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';
const NO_QK_NORM = { qNorm: null, kNorm: null };

/** Layer i is selected when i % period == offset; the error names the offset key. */
function periodic(r: ConfigReader, layers: number, period: string, offset: string, defaults: [number, number], cls: string): boolean[] {
  const p = r.defaulted(period, defaults[0], LIMITS.layers, cls);
  const o = r.defaulted(offset, defaults[1], LIMITS.layers, cls, { min: 0 });
  if (o >= p) throw r.error(offset, `(${o}) must be less than ${period} (${p})`);
  return Array.from({ length: layers }, (_, i) => i % p === o);
}

/** mamba_dt_rank: an integer, or "auto" (⌈hidden / 16⌉). */
function dtRank(r: ConfigReader, hidden: number): number {
  if (r.raw['mamba_dt_rank'] === 'auto' || !r.has('mamba_dt_rank')) return Math.ceil(hidden / 16);
  return r.int('mamba_dt_rank', LIMITS.hidden);
}

/** Jamba's Mamba-1 mixers; returns their per-sequence state. */
function addMamba1(r: ConfigReader, t: Tensors, hidden: number, count: number) {
  const cls = 'JambaConfig';
  const inner = r.defaulted('mamba_expand', 2, 64, cls) * hidden;
  const state = r.defaulted('mamba_d_state', 16, LIMITS.headDim, cls);
  const kernel = r.defaulted('mamba_d_conv', 4, 1024, cls);
  const rank = dtRank(r, hidden);
  const bias = r.bool('mamba_proj_bias', false);
  const p = `${L}.mamba`;
  t.linear(`${p}.in_proj`, 'in_proj', 2 * inner, hidden, count, { bias });
  t.add({ name: `${p}.conv1d.weight`, role: 'other', numel: inner * kernel, count });
  if (r.bool('mamba_conv_bias', true)) t.add({ name: `${p}.conv1d.bias`, role: 'bias', numel: inner, count });
  t.linear(`${p}.x_proj`, 'x_proj', rank + 2 * state, inner, count);
  t.linear(`${p}.dt_proj`, 'dt_proj', inner, rank, count, { bias: true });
  t.add({ name: `${p}.A_log`, role: 'other', numel: inner * state, count });
  t.add({ name: `${p}.D`, role: 'other', numel: inner, count });
  t.linear(`${p}.out_proj`, 'out_proj', hidden, inner, count, { bias });
  t.norm(`${p}.dt_layernorm`, rank, count);
  t.norm(`${p}.b_layernorm`, state, count);
  t.norm(`${p}.c_layernorm`, state, count);
  const mixer: MambaMixerSpec = { version: 1, inner, proj: 2 * inner, convDim: inner, state, heads: 1, groups: 1, chunk: 1, dtRank: rank, gatedNorm: false };
  return { state: { convElems: (kernel - 1) * inner, stateElems: inner * state }, mixer };
}

/** Jamba's MoE feed-forward: router and E gated experts of intermediate_size (fused in transformers, same numel). */
function addJambaMoe(r: ConfigReader, t: Tensors, hidden: number, inter: number, isMoe: boolean[]): MoePlan {
  const experts = r.defaulted('num_experts', 16, LIMITS.experts, 'JambaConfig');
  const topK = r.defaulted('num_experts_per_tok', 2, experts, 'JambaConfig');
  const n = isMoe.filter(Boolean).length;
  t.linear(`${L}.feed_forward.router`, 'router', experts, hidden, n, { role: 'router' });
  const ex = { role: 'expert' as const, activeCount: n * topK };
  t.linear(`${L}.feed_forward.experts.*.gate_proj`, 'gate_proj', inter, hidden, n * experts, ex);
  t.linear(`${L}.feed_forward.experts.*.up_proj`, 'up_proj', inter, hidden, n * experts, ex);
  t.linear(`${L}.feed_forward.experts.*.down_proj`, 'down_proj', hidden, inter, n * experts, ex);
  return { experts, topK, expertIntermediate: inter, isMoe };
}

/** Norms shared by both families: two per layer and the final one. */
function addHybridNorms(t: Tensors, hidden: number, layers: number): void {
  t.norm(`${L}.input_layernorm`, hidden, layers);
  t.norm(`${L}.pre_ff_layernorm`, hidden, layers);
  t.norm('model.final_layernorm', hidden, 1);
}

export function readJamba(r: ConfigReader, modelType: string): ModelSpec {
  const cls = 'JambaConfig';
  const d = readDims(r);
  const isAttn = periodic(r, d.layers, 'attn_layer_period', 'attn_layer_offset', [8, 4], cls);
  const isMoe0 = periodic(r, d.layers, 'expert_layer_period', 'expert_layer_offset', [2, 1], cls);
  const experts = r.optInt('num_experts', 16, LIMITS.experts);
  const isMoe = isMoe0.map((m) => m && experts > 1);
  const attention = isAttn.filter(Boolean).length;
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  addAttention(t, d, { qkvBias: false, oBias: false, ...NO_QK_NORM }, attention);
  const mamba = addMamba1(r, t, d.hidden, d.layers - attention);
  const moe = isMoe.some(Boolean) ? addJambaMoe(r, t, d.hidden, d.intermediate, isMoe) : null;
  addGatedMlp(t, `${L}.feed_forward`, d.hidden, d.intermediate, isMoe.filter((m) => !m).length);
  addHybridNorms(t, d.hidden, d.layers);
  if (r.has('sliding_window')) r.assume('jamba: sliding_window is not modelled; attention layers keep every token');
  return finishSpec(r, {
    modelType,
    adapter: 'jamba',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, activation: activationOf(r, 'silu') },
    layerKinds: isAttn.map((a, i) => ({ attention: a ? 'full' : 'mamba', moe: isMoe[i]! })),
    moe: moeSpecOf(moe),
    mambaState: mamba.state,
    mambaMixer: mamba.mixer,
    tensors: t,
  });
}

/** Falcon-H1's Mamba-2 mixers (one per layer); returns their per-sequence state. */
function addFalconMamba2(r: ConfigReader, t: Tensors, hidden: number, count: number) {
  const cls = 'FalconH1Config';
  const ssm = r.optInt('mamba_d_ssm', null, LIMITS.intermediate) ?? r.defaulted('mamba_expand', 2, 64, cls) * hidden;
  const heads = r.defaulted('mamba_n_heads', 128, LIMITS.heads, cls);
  const auto = Math.floor(ssm / heads);
  const headDim = r.raw['mamba_d_head'] === 'auto' ? auto : r.optInt('mamba_d_head', auto, LIMITS.headDim);
  const groups = r.defaulted('mamba_n_groups', 1, LIMITS.heads, cls);
  const state = r.defaulted('mamba_d_state', 256, LIMITS.headDim, cls);
  const kernel = r.defaulted('mamba_d_conv', 4, 1024, cls);
  const convDim = ssm + 2 * groups * state;
  const bias = r.bool('mamba_proj_bias', false);
  const p = `${L}.mamba`;
  t.linear(`${p}.in_proj`, 'in_proj', ssm + convDim + heads, hidden, count, { bias });
  t.add({ name: `${p}.conv1d.weight`, role: 'other', numel: convDim * kernel, count });
  if (r.bool('mamba_conv_bias', true)) t.add({ name: `${p}.conv1d.bias`, role: 'bias', numel: convDim, count });
  for (const x of ['dt_bias', 'A_log', 'D']) t.add({ name: `${p}.${x}`, role: 'other', numel: heads, count });
  const gatedNorm = r.bool('mamba_rms_norm', false);
  if (gatedNorm) t.norm(`${p}.norm`, ssm, count);
  t.linear(`${p}.out_proj`, 'out_proj', hidden, ssm, count, { bias });
  const chunk = r.defaulted('mamba_chunk_size', 256, LIMITS.window, cls);
  const mixer: MambaMixerSpec = { version: 2, inner: ssm, proj: ssm + convDim + heads, convDim, state, heads, groups, chunk, dtRank: 0, gatedNorm };
  return { state: { convElems: (kernel - 1) * convDim, stateElems: heads * headDim * state }, mixer };
}

export function readFalconH1(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r);
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  const ab = r.bool('attention_bias', false);
  addAttention(t, d, { qkvBias: ab, oBias: ab, ...NO_QK_NORM });
  const mamba = addFalconMamba2(r, t, d.hidden, d.layers);
  addGatedMlp(t, `${L}.feed_forward`, d.hidden, d.intermediate, d.layers, r.bool('mlp_bias', false));
  addHybridNorms(t, d.hidden, d.layers);
  // Attention keeps K and V per token and the Mamba-2 mixer beside it a fixed state: both count for the cache.
  const layerKinds: LayerSpec[] = Array.from({ length: d.layers }, () => ({ attention: 'full', moe: false, sideMamba: true }));
  return finishSpec(r, {
    modelType,
    adapter: 'falcon_h1',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, activation: activationOf(r, 'silu') },
    layerKinds,
    mambaState: mamba.state,
    mambaMixer: mamba.mixer,
    // PEFT raises on LoRA for the Mamba mixer's out_proj (and conv1d) of Mamba-based models.
    loraIncompatible: ['out_proj'],
    tensors: t,
  });
}
