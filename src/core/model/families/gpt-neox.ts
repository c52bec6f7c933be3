/**
 * GPT-NeoX (Pythia): LayerNorm with bias, fused query_key_value, plain MLP with biases, rotary positions,
 * parallel residual (use_parallel_residual, default true), untied embed_in / lm_head by default.
 * attention_bias (default true) sets the biases of query_key_value and dense only.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import type { ConfigReader } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'gpt_neox.layers.*';

export function readGptNeox(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r, { readKvHeads: false });
  const tied = r.bool('tie_word_embeddings', false);
  const attnBias = r.bool('attention_bias', true);
  const t = new Tensors();
  t.embedding('gpt_neox.embed_in', d.vocab, d.hidden);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers, true);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers, true);
  t.linear(`${L}.attention.query_key_value`, 'query_key_value', 3 * d.hidden, d.hidden, d.layers, { bias: attnBias });
  t.linear(`${L}.attention.dense`, 'dense', d.hidden, d.hidden, d.layers, { bias: attnBias });
  t.linear(`${L}.mlp.dense_h_to_4h`, 'dense_h_to_4h', d.intermediate, d.hidden, d.layers, { bias: true });
  t.linear(`${L}.mlp.dense_4h_to_h`, 'dense_4h_to_h', d.hidden, d.intermediate, d.layers, { bias: true });
  t.norm('gpt_neox.final_layer_norm', d.hidden, 1, true);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
  return finishSpec(r, {
    modelType,
    adapter: 'gpt_neox',
    dims: d,
    tied,
    block: {
      ...LLAMA_BLOCK,
      norm: 'layer',
      mlp: 'plain',
      activation: activationOf(r, 'gelu'),
      fusedQkv: true,
      parallelResidual: r.bool('use_parallel_residual', true),
    },
    layerKinds: layerKinds(r, d.layers, { window: null }),
    tensors: t,
  });
}
