/**
 * Nemotron NAS (DeciLMForCausalLM, model_type "nemotron-nas": Llama-3.3-Nemotron-Super-49B, Llama-3.1-Nemotron-Ultra-
 * 253B, and Puzzle/Puzzletron descendants): a Llama whose layers were chosen one by one by neural architecture search,
 * listed in block_configs (one entry per layer, Puzzle, arXiv 2411.19146).
 *
 * Per layer, `attention`: a Llama attention with num_attention_heads / n_heads_in_group key/value heads and its
 * input_layernorm; `no_op` (no attention and no input_layernorm: the residual passes through); or
 * `replace_with_linear` (input_layernorm and one bias-free hidden × hidden linear, no cache). `ffn`: a SwiGLU MLP of
 * intermediate = roundup₂₅₆(⌊2 · ffn_mult · hidden / 3⌋) (or `intermediate_size`) and its post_attention_layernorm;
 * `no_op` (neither); or `replace_with_linear` (the norm and one hidden × hidden linear). An untied lm_head by default,
 * a final norm. A non-null `window_length` makes the layer slide over that many tokens.
 */
import type { LayerSpec, ModelSpec } from '../../types.ts';
import { finishSpec, LLAMA_BLOCK, type Dims } from '../common.ts';
import { ConfigReader, isObject, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';
/** Block keys whose meaning changes the layer's structure beyond what is modelled here. */
const UNMODELLED = ['moe', 'mamba', 'llama4', 'parallel_blocks', 'sparsify', 'num_sink_tokens'];

interface NasLayer {
  attention: 'attention' | 'none' | 'linear';
  kvHeads: number;
  window: number | null;
  ffn: 'mlp' | 'none' | 'linear';
  width: number;
  gated: boolean;
}

/** DeciLM's rule: ⌊2 · ffn_mult · hidden / 3⌋, rounded up to a multiple of 256 (same order of operations as Python). */
export function ffnMultToIntermediate(ffnMult: number, hidden: number): number {
  const n = Math.trunc((2 * ffnMult * hidden) / 3);
  return n % 256 === 0 ? n : n + 256 - (n % 256);
}

function blockReader(r: ConfigReader, i: number): ConfigReader {
  const v = (r.raw['block_configs'] as unknown[])[i];
  if (!isObject(v)) throw r.error(`block_configs[${i}]`, 'must be an object with "attention" and "ffn"');
  return new ConfigReader(v, `${r.path('block_configs')}[${i}].`, r.assumptions);
}

function readAttention(b: ConfigReader, heads: number): Pick<NasLayer, 'attention' | 'kvHeads' | 'window'> {
  const a = b.nested('attention');
  if (a === null) throw b.error('attention', 'missing: every block names its attention (n_heads_in_group, no_op or replace_with_linear)');
  if (a.bool('no_op', false)) return { attention: 'none', kvHeads: 0, window: null };
  if (a.bool('replace_with_linear', false)) return { attention: 'linear', kvHeads: 0, window: null };
  const group = a.int('n_heads_in_group', heads);
  if (heads % group !== 0) throw a.error('n_heads_in_group', `(${group}) must divide num_attention_heads (${heads})`);
  return { attention: 'attention', kvHeads: heads / group, window: a.optInt('window_length', null, LIMITS.window) };
}

function readFfn(b: ConfigReader, hidden: number): Pick<NasLayer, 'ffn' | 'width' | 'gated'> {
  const f = b.nested('ffn');
  if (f === null) throw b.error('ffn', 'missing: every block names its FFN (ffn_mult, no_op or replace_with_linear)');
  if (f.bool('no_op', false)) return { ffn: 'none', width: 0, gated: true };
  if (f.bool('replace_with_linear', false)) return { ffn: 'linear', width: 0, gated: true };
  let width = f.optInt('intermediate_size', null, LIMITS.intermediate);
  if (width === null) {
    const mult = f.raw['ffn_mult'];
    if (typeof mult !== 'number' || !Number.isFinite(mult) || mult <= 0) throw f.error('ffn_mult', `must be a positive number (or give intermediate_size), got ${JSON.stringify(mult) ?? 'nothing'}`);
    width = ffnMultToIntermediate(mult, hidden);
  }
  return { ffn: 'mlp', width, gated: f.bool('gated', true) };
}

/** Each block, read and checked; keys that change the structure and are not modelled are named once. */
function readBlocks(r: ConfigReader, layers: number, heads: number, hidden: number): NasLayer[] {
  const list = r.raw['block_configs'];
  if (!Array.isArray(list)) throw r.error('block_configs', 'must be a list with one block per layer');
  if (list.length !== layers) throw r.error('block_configs', `has ${list.length} blocks but the model has ${layers} layers (num_hidden_layers)`);
  const ignored = new Set<string>();
  const out: NasLayer[] = [];
  for (let i = 0; i < layers; i++) {
    const b = blockReader(r, i);
    for (const part of ['attention', 'ffn']) {
      const sub = b.nested(part);
      for (const k of UNMODELLED) if (sub?.has(k) && sub.raw[k] !== false) ignored.add(`${part}.${k}`);
    }
    out.push({ ...readAttention(b, heads), ...readFfn(b, hidden) });
  }
  if (ignored.size > 0) r.assume(`block_configs keys not modelled (read as a plain Llama block): ${[...ignored].join(', ')}; the estimate may be wrong for those layers`);
  return out;
}

/** Identical tensors of many layers as one group: `count` layers of this width. */
function addLayerTensors(t: Tensors, hidden: number, headDim: number, heads: number, blocks: readonly NasLayer[], bias: { attention: boolean; mlp: boolean }): void {
  const byKv = new Map<number, number>();
  const byWidth = new Map<string, number>();
  let linearAttn = 0;
  let linearMlp = 0;
  for (const b of blocks) {
    if (b.attention === 'attention') byKv.set(b.kvHeads, (byKv.get(b.kvHeads) ?? 0) + 1);
    if (b.attention === 'linear') linearAttn++;
    if (b.ffn === 'mlp') byWidth.set(`${b.width}:${b.gated}`, (byWidth.get(`${b.width}:${b.gated}`) ?? 0) + 1);
    if (b.ffn === 'linear') linearMlp++;
  }
  const q = heads * headDim;
  for (const [kv, n] of byKv) {
    const p = `${L}[kv ${kv}].self_attn`;
    t.linear(`${p}.q_proj`, 'q_proj', q, hidden, n, { bias: bias.attention });
    t.linear(`${p}.k_proj`, 'k_proj', kv * headDim, hidden, n, { bias: bias.attention });
    t.linear(`${p}.v_proj`, 'v_proj', kv * headDim, hidden, n, { bias: bias.attention });
    t.linear(`${p}.o_proj`, 'o_proj', hidden, q, n, { bias: bias.attention });
  }
  t.linear(`${L}.self_attn.linear_attn`, 'linear_attn', hidden, hidden, linearAttn);
  for (const [key, n] of byWidth) {
    const [w, gated] = key.split(':');
    const width = Number(w);
    const p = `${L}[intermediate ${width}].mlp`;
    if (gated === 'true') t.linear(`${p}.gate_proj`, 'gate_proj', width, hidden, n, { bias: bias.mlp });
    t.linear(`${p}.up_proj`, 'up_proj', width, hidden, n, { bias: bias.mlp });
    t.linear(`${p}.down_proj`, 'down_proj', hidden, width, n, { bias: bias.mlp });
  }
  t.linear(`${L}.mlp.linear_mlp`, 'linear_mlp', hidden, hidden, linearMlp);
  t.norm(`${L}.input_layernorm`, hidden, blocks.filter((b) => b.attention !== 'none').length);
  t.norm(`${L}.post_attention_layernorm`, hidden, blocks.filter((b) => b.ffn !== 'none').length);
}

/** The LayerSpec of a block; key/value heads and MLP width only where they differ from the model's. */
function layerSpec(b: NasLayer, dims: Dims): LayerSpec {
  const l: LayerSpec = b.attention === 'attention' ? (b.window !== null ? { attention: 'sliding', window: b.window, moe: false } : { attention: 'full', moe: false }) : { attention: 'none', moe: false };
  if (b.attention === 'linear') l.linearMixer = true;
  if (b.attention === 'attention' && b.kvHeads !== dims.kvHeads) l.kvHeads = b.kvHeads;
  if (b.ffn !== 'mlp') l.ffn = b.ffn;
  else if (b.width !== dims.intermediate) l.ffnWidth = b.width;
  return l;
}

export function readNemotronNas(r: ConfigReader, modelType: string): ModelSpec {
  const hidden = r.int('hidden_size', LIMITS.hidden);
  const layers = r.int('num_hidden_layers', LIMITS.layers);
  const heads = r.int('num_attention_heads', LIMITS.heads);
  const vocab = r.int('vocab_size', LIMITS.vocab);
  const headDim = r.optInt('head_dim', null, LIMITS.headDim) ?? Math.floor(hidden / heads);
  const blocks = readBlocks(r, layers, heads, hidden);
  if (blocks.some((b) => !b.gated)) r.assume('block_configs: non-gated FFN blocks ("gated": false) are estimated with a gated MLP\'s saved tensors');
  const firstAttention = blocks.find((b) => b.attention === 'attention');
  const firstMlp = blocks.find((b) => b.ffn === 'mlp');
  // The model-wide widths are the first attention block's and the first MLP's; other layers say where they differ.
  const dims: Dims = { hidden, layers, heads, kvHeads: firstAttention?.kvHeads ?? heads, headDim, vocab, intermediate: firstMlp?.width ?? 0 };
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  t.embedding('model.embed_tokens', vocab, hidden);
  if (!tied) t.lmHead('lm_head', vocab, hidden);
  addLayerTensors(t, hidden, headDim, heads, blocks, { attention: r.bool('attention_bias', false), mlp: r.bool('mlp_bias', false) });
  t.norm('model.norm', hidden, 1);
  return finishSpec(r, {
    modelType,
    adapter: 'nemotron-nas',
    dims,
    tied,
    block: { ...LLAMA_BLOCK },
    layerKinds: blocks.map((b) => layerSpec(b, dims)),
    tensors: t,
  });
}
