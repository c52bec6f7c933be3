/**
 * PhiMoE (Phi-3.5-MoE): Mixtral-style top-k MoE of SwiGLU experts (w1/w3 [I, H], w2 [H, I]) with a bias-free router,
 * attention with biases (attention_bias, default true), LayerNorms with bias, and an lm_head with a bias
 * (lm_head_bias, default true); untied by default.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims, readWindow } from '../common.ts';
import { addAttention, addEmbeddings, addMoe, moeSpecOf, type MoePlan } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readPhimoe(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r);
  const experts = r.int('num_local_experts', LIMITS.experts);
  const topK = r.int('num_experts_per_tok', experts);
  const bias = r.bool('attention_bias', true);
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  if (!tied && r.bool('lm_head_bias', true)) t.add({ name: 'lm_head.bias', role: 'bias', numel: d.vocab, count: 1, module: 'lm_head' });
  addAttention(t, d, { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null });
  const moe: MoePlan = { experts, topK, expertIntermediate: d.intermediate, isMoe: Array.from({ length: d.layers }, () => true), router: 'mlp.router' };
  addMoe(t, d.hidden, moe);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers, true);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers, true);
  t.norm('model.norm', d.hidden, 1, true);
  return finishSpec(r, {
    modelType,
    adapter: 'phimoe',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, norm: 'layer', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, d.layers, { window: readWindow(r), moe: () => true }),
    moe: moeSpecOf(moe),
    tensors: t,
  });
}
