/**
 * Llama 4 text (Llama4ForCausalLM, the language model of Llama4ForConditionalGeneration): Llama attention without
 * biases (its q/k norm is a weightless L2 norm), MoE layers every interleave_moe_layer_step layers (or the explicit
 * moe_layers) with router [E, H], E experts of intermediate_size (fused gate_up [E, H, 2I], down [E, I, H]) and one
 * shared expert of intermediate_size; dense layers use intermediate_size_mlp. RoPE layers attend within chunks of
 * attention_chunk_size tokens, NoPE layers (no_rope_layers[i] = 0, by default every 4th) attend to everything.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import { addAttention, addEmbeddings, addGatedMlp, addMoe, type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readLlama4Text(r: ConfigReader, modelType: string, top?: ConfigReader): ModelSpec {
  const cls = 'Llama4TextConfig';
  const d = readDims(r, { headDimDefault: 128 });
  const experts = r.defaulted('num_local_experts', 16, LIMITS.experts, cls);
  const step = r.optInt('interleave_moe_layer_step', 1, LIMITS.layers);
  const explicit = r.intList('moe_layers', LIMITS.layers);
  const moeSet = r.has('moe_layers') ? new Set(explicit) : null;
  const moe: MoePlan = {
    experts,
    topK: r.defaulted('num_experts_per_tok', 1, experts, cls),
    expertIntermediate: d.intermediate,
    isMoe: Array.from({ length: d.layers }, (_, i) => (moeSet ? moeSet.has(i) : (i + 1) % step === 0)),
    shared: { name: 'shared_expert', experts: 1, intermediate: d.intermediate, gate: false },
  };
  const dense = r.optInt('intermediate_size_mlp', 16384, LIMITS.intermediate);
  const noRope = r.intList('no_rope_layers', 1);
  const interval = r.optInt('no_rope_layer_interval', 4, LIMITS.layers);
  const usesRope = (i: number) => (noRope.length === d.layers ? noRope[i] === 1 : (i + 1) % interval !== 0);
  const chunk = r.optInt('attention_chunk_size', null, LIMITS.window);
  const tied = r.bool('tie_word_embeddings', false) || (top?.bool('tie_word_embeddings', false) ?? false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  addAttention(t, d, { qkvBias: r.bool('attention_bias', false), oBias: r.bool('attention_bias', false), qNorm: null, kNorm: null });
  const n = addMoe(t, d.hidden, moe);
  addGatedMlp(t, `${L}.feed_forward`, d.hidden, dense, d.layers - n);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers);
  t.norm('model.norm', d.hidden, 1);
  return finishSpec(
    r,
    {
      modelType,
      adapter: 'llama4',
      dims: d,
      tied,
      block: { ...LLAMA_BLOCK, activation: activationOf(r, 'silu') },
      layerKinds: layerKinds(r, d.layers, {
        window: null,
        chunk,
        kind: (i) => (chunk !== null && usesRope(i) ? 'chunked' : 'full'),
        moe: (i) => moe.isMoe[i]!,
      }),
      moe: moeSpecOf(moe),
      tensors: t,
    },
    top,
  );
}
