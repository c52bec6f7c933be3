/**
 * GPT-2: learned absolute positions (wpe), LayerNorm with bias, fused c_attn, plain GELU MLP (n_inner, default
 * 4 × n_embd), biases everywhere, lm_head tied by default. GPT-2's Conv1D stores weights [in, out]; shapes here
 * are given as [out, in] like every other linear.
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, type DimKeys, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const KEYS: DimKeys = {
  hidden: ['n_embd', 'hidden_size'],
  layers: ['n_layer', 'num_hidden_layers'],
  heads: ['n_head', 'num_attention_heads'],
  kvHeads: ['n_head'],
  vocab: ['vocab_size'],
  intermediate: ['n_inner', 'intermediate_size'],
};

const H = 'transformer.h.*';

export function readGpt2(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r, { keys: KEYS, intermediateDefault: (h) => 4 * h, readKvHeads: false });
  const positions = r.optInt(['n_positions', 'max_position_embeddings'], 1024, LIMITS.positions);
  const tied = r.bool('tie_word_embeddings', true);
  const t = new Tensors();
  t.embedding('transformer.wte', d.vocab, d.hidden);
  // Learned positions are not the token embedding (params.embedding = vocab × hidden, as measured).
  t.add({ name: 'transformer.wpe.weight', role: 'other', numel: positions * d.hidden, count: 1, shape: [positions, d.hidden] });
  t.norm(`${H}.ln_1`, d.hidden, d.layers, true);
  t.linear(`${H}.attn.c_attn`, 'c_attn', 3 * d.hidden, d.hidden, d.layers, { bias: true });
  t.linear(`${H}.attn.c_proj`, 'c_proj', d.hidden, d.hidden, d.layers, { bias: true });
  t.norm(`${H}.ln_2`, d.hidden, d.layers, true);
  t.linear(`${H}.mlp.c_fc`, 'c_fc', d.intermediate, d.hidden, d.layers, { bias: true });
  t.linear(`${H}.mlp.c_proj`, 'c_proj', d.hidden, d.intermediate, d.layers, { bias: true });
  t.norm('transformer.ln_f', d.hidden, 1, true);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
  if (r.bool('add_cross_attention', false)) r.assume('add_cross_attention: cross-attention weights are not counted');
  return finishSpec(r, {
    modelType,
    adapter: 'gpt2',
    dims: d,
    tied,
    block: {
      ...LLAMA_BLOCK,
      norm: 'layer',
      mlp: 'plain',
      activation: activationOf(r, 'gelu_new'),
      fusedQkv: true,
      absolutePositions: true,
    },
    layerKinds: layerKinds(r, d.layers, { window: null }),
    tensors: t,
  });
}
