/**
 * StarCoder2: GQA attention with biases (use_bias), a plain MLP c_fc [I, H] → c_proj [H, I] with biases, LayerNorms
 * with bias (input_layernorm, post_attention_layernorm, final norm), sliding_window on every layer, lm_head tied by
 * default.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims, readWindow } from '../common.ts';
import { addAttention, addEmbeddings } from '../llama-like.ts';
import type { ConfigReader } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readStarcoder2(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r);
  const bias = r.bool('use_bias', true);
  const tied = r.bool('tie_word_embeddings', true);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  addAttention(t, d, { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null });
  t.linear(`${L}.mlp.c_fc`, 'c_fc', d.intermediate, d.hidden, d.layers, { bias });
  t.linear(`${L}.mlp.c_proj`, 'c_proj', d.hidden, d.intermediate, d.layers, { bias });
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers, true);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers, true);
  t.norm('model.norm', d.hidden, 1, true);
  return finishSpec(r, {
    modelType,
    adapter: 'starcoder2',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, norm: 'layer', mlp: 'plain', activation: activationOf(r, 'gelu_pytorch_tanh') },
    layerKinds: layerKinds(r, d.layers, { window: readWindow(r) }),
    tensors: t,
  });
}
