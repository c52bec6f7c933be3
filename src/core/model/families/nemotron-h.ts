/**
 * Nemotron-H / Nemotron 3 (NemotronHForCausalLM): a hybrid whose layers are one mixer each, named by
 * hybrid_override_pattern ("M" Mamba-2, "*" attention, "-" MLP, "E" MoE) or by the list layers_block_type
 * ("mamba", "attention", "mlp", "moe"); one RMSNorm (norm) per layer, backbone.norm_f, untied lm_head.
 *
 * Mamba-2 mixer, with d_inner = mamba_num_heads · mamba_head_dim, conv_dim = d_inner + 2 · n_groups · ssm_state_size:
 *   in_proj [d_inner + conv_dim + mamba_num_heads, H] (+bias with use_bias), conv1d [conv_dim, 1, conv_kernel]
 *   (+bias with use_conv_bias), dt_bias, A_log, D [mamba_num_heads], norm [d_inner], out_proj [H, d_inner] (+bias).
 * Attention mixer: q/k/v/o (attention_bias). MLP mixer: up_proj [I, H], down_proj [H, I] (relu², no gate).
 * MoE mixer: router gate [E, H], E experts of up/down with moe_intermediate_size, one shared up/down of
 * moe_shared_expert_intermediate_size (the router's e_score_correction_bias is a buffer, not counted).
 * Per-sequence state of a Mamba layer: conv (conv_kernel − 1) × conv_dim, SSM mamba_num_heads × mamba_head_dim ×
 * ssm_state_size (in mamba_ssm_cache_dtype when float32).
 */
import type { AttentionKind, ModelSpec, MoeSpec } from '../../types.ts';
import { finishSpec, LLAMA_BLOCK, readDims } from '../common.ts';
import { type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const B = 'backbone.layers.*';
type Block = 'mamba' | 'attention' | 'mlp' | 'moe';
const PATTERN: Readonly<Record<string, Block>> = { M: 'mamba', '*': 'attention', '-': 'mlp', E: 'moe' };
const NAMES: readonly Block[] = ['mamba', 'attention', 'mlp', 'moe'];

/** The block of each layer, from hybrid_override_pattern or layers_block_type; errors name the key. */
export function hybridBlocks(r: ConfigReader, layers: number): Block[] {
  const list = r.strList('layers_block_type');
  if (list !== null) {
    if (list.length !== layers) throw r.error('layers_block_type', `has ${list.length} entries but the model has ${layers} layers`);
    return list.map((b, i) => {
      if (!(NAMES as readonly string[]).includes(b))
        throw r.error('layers_block_type', `entry ${i} is "${b}", a block the engine does not know (${NAMES.join(', ')})`);
      return b as Block;
    });
  }
  const pattern = r.str('hybrid_override_pattern');
  if (pattern === null) throw r.error('hybrid_override_pattern', 'missing: a nemotron_h config names its layers there or in layers_block_type');
  if (pattern.length !== layers)
    throw r.error('hybrid_override_pattern', `has ${pattern.length} characters but the model has ${layers} layers (num_hidden_layers)`);
  return [...pattern].map((c, i) => {
    const b = PATTERN[c];
    if (!b) throw r.error('hybrid_override_pattern', `character ${i} is "${c}"; the engine reads M (Mamba), * (attention), - (MLP), E (MoE)`);
    return b;
  });
}

interface MambaDims {
  heads: number;
  headDim: number;
  state: number;
  kernel: number;
  inner: number;
  convDim: number;
}

function readMambaDims(r: ConfigReader): MambaDims & { groups: number } {
  const cls = 'NemotronHConfig';
  const heads = r.defaulted('mamba_num_heads', 128, LIMITS.heads, cls);
  const headDim = r.defaulted('mamba_head_dim', 64, LIMITS.headDim, cls);
  const groups = r.defaulted('n_groups', 8, LIMITS.heads, cls);
  const state = r.defaulted('ssm_state_size', 128, LIMITS.headDim, cls);
  const kernel = r.defaulted('conv_kernel', 4, 1024, cls);
  const inner = heads * headDim;
  return { heads, headDim, state, kernel, inner, groups, convDim: inner + 2 * groups * state };
}

/** Mamba-2 mixers: in_proj, the causal convolution, dt/A/D, the gated norm, out_proj. */
function mambaTensors(r: ConfigReader, t: Tensors, hidden: number, m: MambaDims, count: number): void {
  const useBias = r.bool('use_bias', false);
  t.linear(`${B}.mixer.in_proj`, 'in_proj', m.inner + m.convDim + m.heads, hidden, count, { bias: useBias });
  t.add({ name: `${B}.mixer.conv1d.weight`, role: 'other', numel: m.convDim * m.kernel, count });
  if (r.bool('use_conv_bias', true)) t.add({ name: `${B}.mixer.conv1d.bias`, role: 'bias', numel: m.convDim, count });
  for (const p of ['dt_bias', 'A_log', 'D']) t.add({ name: `${B}.mixer.${p}`, role: 'other', numel: m.heads, count });
  t.norm(`${B}.mixer.norm`, m.inner, count);
  t.linear(`${B}.mixer.out_proj`, 'out_proj', hidden, m.inner, count, { bias: useBias });
}

/** Attention mixers and plain MLP mixers (up, down). */
function attentionAndMlpTensors(r: ConfigReader, t: Tensors, d: ReturnType<typeof readDims>, attention: number, mlp: number): void {
  const ab = r.bool('attention_bias', false);
  t.linear(`${B}.mixer.q_proj`, 'q_proj', d.heads * d.headDim, d.hidden, attention, { bias: ab });
  t.linear(`${B}.mixer.k_proj`, 'k_proj', d.kvHeads * d.headDim, d.hidden, attention, { bias: ab });
  t.linear(`${B}.mixer.v_proj`, 'v_proj', d.kvHeads * d.headDim, d.hidden, attention, { bias: ab });
  t.linear(`${B}.mixer.o_proj`, 'o_proj', d.hidden, d.heads * d.headDim, attention, { bias: ab });
  const mb = r.bool('mlp_bias', false);
  t.linear(`${B}.mixer.up_proj`, 'up_proj', d.intermediate, d.hidden, mlp, { bias: mb });
  t.linear(`${B}.mixer.down_proj`, 'down_proj', d.hidden, d.intermediate, mlp, { bias: mb });
}

/** MoE mixers: router, routed experts (up, down) and one shared expert; null without MoE layers. */
function moeTensors(r: ConfigReader, t: Tensors, hidden: number, blocks: readonly Block[]): MoePlan | null {
  const ne = blocks.filter((b) => b === 'moe').length;
  if (ne === 0) return null;
  const mb = r.bool('mlp_bias', false);
  const experts = r.int('n_routed_experts', LIMITS.experts);
  const topK = r.int('num_experts_per_tok', experts);
  const I = r.int('moe_intermediate_size', LIMITS.intermediate);
  const SI = r.optInt('moe_shared_expert_intermediate_size', 0, LIMITS.intermediate, { min: 0 });
  t.linear(`${B}.mixer.gate`, 'gate', experts, hidden, ne, { role: 'router' });
  const ex = { role: 'expert' as const, activeCount: ne * topK, bias: mb };
  t.linear(`${B}.mixer.experts.*.up_proj`, 'up_proj', I, hidden, ne * experts, ex);
  t.linear(`${B}.mixer.experts.*.down_proj`, 'down_proj', hidden, I, ne * experts, ex);
  t.linear(`${B}.mixer.shared_experts.up_proj`, 'up_proj', SI, hidden, ne, { bias: mb });
  t.linear(`${B}.mixer.shared_experts.down_proj`, 'down_proj', hidden, SI, ne, { bias: mb });
  return { experts, topK, expertIntermediate: I, isMoe: blocks.map((b) => b === 'moe'), shared: { name: 'shared_experts', experts: 1, intermediate: SI, gate: false } };
}

/** Nemotron-H's experts are relu² MLPs of two matrices, and its router (DeepSeek-V3's) runs in fp32. */
function nemotronMoe(moe: MoeSpec | null): MoeSpec | null {
  return moe ? { ...moe, plainExperts: true, fp32Router: true } : null;
}

export function readNemotronH(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r, { headDimDefault: 128 });
  const blocks = hybridBlocks(r, d.layers);
  const count = (b: Block) => blocks.filter((x) => x === b).length;
  const m = readMambaDims(r);
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  t.embedding('backbone.embeddings', d.vocab, d.hidden);
  t.norm(`${B}.norm`, d.hidden, d.layers);
  mambaTensors(r, t, d.hidden, m, count('mamba'));
  attentionAndMlpTensors(r, t, d, count('attention'), count('mlp'));
  const moe = moeTensors(r, t, d.hidden, blocks);
  t.norm('backbone.norm_f', d.hidden, 1);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
  const kind = (b: Block): AttentionKind => (b === 'mamba' ? 'mamba' : b === 'attention' ? 'full' : 'none');
  const fp32 = r.str('mamba_ssm_cache_dtype') === 'float32';
  return finishSpec(r, {
    modelType,
    adapter: 'nemotron_h',
    dims: d,
    tied,
    // One norm per layer: each layer is one block (normsPerLayer counts an attention + feed-forward pair).
    block: { ...LLAMA_BLOCK, mlp: 'plain' },
    // Attention layers hold a KV cache, Mamba layers a fixed state, MLP and MoE layers nothing ('none'); mixer
    // layers have no feed-forward.
    layerKinds: blocks.map((b) => (b === 'mamba' || b === 'attention' ? { attention: kind(b), moe: false, ffn: 'none' as const } : { attention: 'none' as const, moe: b === 'moe' })),
    moe: nemotronMoe(moeSpecOf(moe)),
    mambaState: { convElems: (m.kernel - 1) * m.convDim, stateElems: m.heads * m.headDim * m.state, ...(fp32 ? { stateBytes: 4 } : {}) },
    // PEFT raises on LoRA for the Mamba mixer's out_proj (and conv1d) of Mamba-based models.
    loraIncompatible: ['out_proj'],
    mambaMixer: {
      version: 2,
      inner: m.inner,
      proj: m.inner + m.convDim + m.heads,
      convDim: m.convDim,
      state: m.state,
      heads: m.heads,
      groups: m.groups,
      chunk: r.defaulted('chunk_size', 128, LIMITS.window, 'NemotronHConfig'),
      dtRank: 0,
      gatedNorm: true,
    },
    tensors: t,
  });
}
