/**
 * Falcon, both decoder architectures:
 * - new_decoder_architecture (Falcon-40B/180B): grouped kv (num_kv_heads), qkv = (heads + 2·kv)·head_dim,
 *   two LayerNorms (ln_attn, ln_mlp) unless num_ln_in_parallel_attn = 1;
 * - old (Falcon-7B, RW): multi_query → one kv head, qkv = hidden + 2·head_dim; otherwise qkv = 3·hidden;
 *   parallel_attn → one input_layernorm, else input_layernorm + post_attention_layernorm.
 * bias (default false) on every linear; LayerNorms with bias; lm_head tied by default; ALiBi has no weights.
 * Legacy model_types RefinedWebModel (7B-style) and RefinedWeb (40B-style) use n_embed / n_head / n_layer / n_head_kv.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, type DimKeys, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import type { ConfigReader } from '../read.ts';
import { Tensors } from '../tensors.ts';

const KEYS: DimKeys = {
  hidden: ['hidden_size', 'n_embed'],
  layers: ['num_hidden_layers', 'n_layer'],
  heads: ['num_attention_heads', 'n_head'],
  kvHeads: ['num_kv_heads', 'n_head_kv'],
  vocab: ['vocab_size'],
  intermediate: ['ffn_hidden_size'],
};

const H = 'transformer.h.*';

export function readFalcon(r: ConfigReader, modelType: string): ModelSpec {
  const legacyNew = modelType === 'RefinedWeb';
  if (modelType !== 'falcon') r.assume(`legacy model_type "${modelType}" read as falcon`);
  const newArch = r.bool('new_decoder_architecture', legacyNew);
  const multiQuery = r.bool('multi_query', !legacyNew);
  const parallel = r.bool('parallel_attn', true);
  const bias = r.bool('bias', false);
  const base = readDims(r, { keys: KEYS, intermediateDefault: (h) => 4 * h, readKvHeads: newArch });
  const kvHeads = newArch ? base.kvHeads : multiQuery ? 1 : base.heads;
  const d = { ...base, kvHeads };
  const qkvOut = newArch ? (d.heads + 2 * kvHeads) * d.headDim : multiQuery ? d.hidden + 2 * d.headDim : 3 * d.hidden;
  const lnInParallel = r.optInt('num_ln_in_parallel_attn', newArch ? 2 : 1, 2);
  const norms = !parallel
    ? ['input_layernorm', 'post_attention_layernorm']
    : lnInParallel === 2
      ? ['ln_attn', 'ln_mlp']
      : ['input_layernorm'];
  const tied = r.bool('tie_word_embeddings', true);
  const t = new Tensors();
  t.embedding('transformer.word_embeddings', d.vocab, d.hidden);
  t.linear(`${H}.self_attention.query_key_value`, 'query_key_value', qkvOut, d.hidden, d.layers, { bias });
  t.linear(`${H}.self_attention.dense`, 'dense', d.hidden, d.hidden, d.layers, { bias });
  t.linear(`${H}.mlp.dense_h_to_4h`, 'dense_h_to_4h', d.intermediate, d.hidden, d.layers, { bias });
  t.linear(`${H}.mlp.dense_4h_to_h`, 'dense_4h_to_h', d.hidden, d.intermediate, d.layers, { bias });
  for (const n of norms) t.norm(`${H}.${n}`, d.hidden, d.layers, true);
  t.norm('transformer.ln_f', d.hidden, 1, true);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
  return finishSpec(r, {
    modelType,
    adapter: 'falcon',
    dims: d,
    tied,
    block: {
      ...LLAMA_BLOCK,
      norm: 'layer',
      normsPerLayer: norms.length,
      mlp: 'plain',
      activation: activationOf(r, 'gelu'),
      fusedQkv: true,
      parallelResidual: newArch || parallel,
      // Multi-query Falcon hands SDPA one KV head for all query heads with a 4-D mask and no enable_gqa, so PyTorch
      // runs the math kernel and materializes the attention scores.
      sdpaMath: !newArch && kvHeads !== d.heads,
    },
    layerKinds: layerKinds(r, d.layers, { window: null }),
    tensors: t,
  });
}
