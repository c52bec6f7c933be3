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
import type { AttentionKind, ModelSpec } from '../../types.ts';
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

export function readNemotronH(r: ConfigReader, modelType: string): ModelSpec {
  const cls = 'NemotronHConfig';
  const d = readDims(r, { headDimDefault: 128 });
  const blocks = hybridBlocks(r, d.layers);
  const count = (b: Block) => blocks.filter((x) => x === b).length;
  const mHeads = r.defaulted('mamba_num_heads', 128, LIMITS.heads, cls);
  const mHeadDim = r.defaulted('mamba_head_dim', 64, LIMITS.headDim, cls);
  const groups = r.defaulted('n_groups', 8, LIMITS.heads, cls);
  const state = r.defaulted('ssm_state_size', 128, LIMITS.headDim, cls);
  const kernel = r.defaulted('conv_kernel', 4, 1024, cls);
  const dInner = mHeads * mHeadDim;
  const convDim = dInner + 2 * groups * state;
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  t.embedding('backbone.embeddings', d.vocab, d.hidden);
  t.norm(`${B}.norm`, d.hidden, d.layers);
  // Mamba-2 mixers
  const nm = count('mamba');
  const useBias = r.bool('use_bias', false);
  t.linear(`${B}.mixer.in_proj`, 'in_proj', dInner + convDim + mHeads, d.hidden, nm, { bias: useBias });
  t.add({ name: `${B}.mixer.conv1d.weight`, role: 'other', numel: convDim * kernel, count: nm });
  if (r.bool('use_conv_bias', true)) t.add({ name: `${B}.mixer.conv1d.bias`, role: 'bias', numel: convDim, count: nm });
  for (const p of ['dt_bias', 'A_log', 'D']) t.add({ name: `${B}.mixer.${p}`, role: 'other', numel: mHeads, count: nm });
  t.norm(`${B}.mixer.norm`, dInner, nm);
  t.linear(`${B}.mixer.out_proj`, 'out_proj', d.hidden, dInner, nm, { bias: useBias });
  // attention mixers
  const na = count('attention');
  const ab = r.bool('attention_bias', false);
  t.linear(`${B}.mixer.q_proj`, 'q_proj', d.heads * d.headDim, d.hidden, na, { bias: ab });
  t.linear(`${B}.mixer.k_proj`, 'k_proj', d.kvHeads * d.headDim, d.hidden, na, { bias: ab });
  t.linear(`${B}.mixer.v_proj`, 'v_proj', d.kvHeads * d.headDim, d.hidden, na, { bias: ab });
  t.linear(`${B}.mixer.o_proj`, 'o_proj', d.hidden, d.heads * d.headDim, na, { bias: ab });
  // MLP mixers
  const nd = count('mlp');
  const mb = r.bool('mlp_bias', false);
  t.linear(`${B}.mixer.up_proj`, 'up_proj', d.intermediate, d.hidden, nd, { bias: mb });
  t.linear(`${B}.mixer.down_proj`, 'down_proj', d.hidden, d.intermediate, nd, { bias: mb });
  // MoE mixers
  const ne = count('moe');
  let moe: MoePlan | null = null;
  if (ne > 0) {
    const experts = r.int('n_routed_experts', LIMITS.experts);
    const topK = r.int('num_experts_per_tok', experts);
    const I = r.int('moe_intermediate_size', LIMITS.intermediate);
    const SI = r.optInt('moe_shared_expert_intermediate_size', 0, LIMITS.intermediate, { min: 0 });
    t.linear(`${B}.mixer.gate`, 'gate', experts, d.hidden, ne, { role: 'router' });
    const ex = { role: 'expert' as const, activeCount: ne * topK, bias: mb };
    t.linear(`${B}.mixer.experts.*.up_proj`, 'up_proj', I, d.hidden, ne * experts, ex);
    t.linear(`${B}.mixer.experts.*.down_proj`, 'down_proj', d.hidden, I, ne * experts, ex);
    t.linear(`${B}.mixer.shared_experts.up_proj`, 'up_proj', SI, d.hidden, ne, { bias: mb });
    t.linear(`${B}.mixer.shared_experts.down_proj`, 'down_proj', d.hidden, SI, ne, { bias: mb });
    moe = { experts, topK, expertIntermediate: I, isMoe: blocks.map((b) => b === 'moe'), shared: { name: 'shared_experts', experts: 1, intermediate: SI, gate: false } };
  }
  t.norm('backbone.norm_f', d.hidden, 1);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
  const kind = (b: Block): AttentionKind => (b === 'mamba' ? 'mamba' : b === 'attention' ? 'full' : 'none');
  const fp32 = r.str('mamba_ssm_cache_dtype') === 'float32';
  return finishSpec(r, {
    modelType,
    adapter: 'nemotron_h',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, normsPerLayer: 1, mlp: 'plain' },
    // Attention layers hold a KV cache, Mamba layers a fixed state, MLP and MoE layers nothing ('none').
    layerKinds: blocks.map((b) => ({ attention: kind(b), moe: b === 'moe' })),
    moe: moeSpecOf(moe),
    mambaState: { convElems: (kernel - 1) * convDim, stateElems: mHeads * mHeadDim * state, ...(fp32 ? { stateBytes: 4 } : {}) },
    tensors: t,
  });
}
