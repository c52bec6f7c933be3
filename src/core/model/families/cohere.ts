/**
 * Cohere (Command R, Aya) and Cohere2 (Command R7B, Command A): one input_layernorm per layer (a LayerNorm without
 * bias) feeding attention and the gated MLP in parallel; q/k/v/o without bias (attention_bias); Cohere's optional
 * use_qk_norm adds per-head LayerNorm weights q_norm [heads, head_dim] and k_norm [kv_heads, head_dim]; final norm;
 * lm_head tied by default (logit_scale is a scalar). Cohere2 interleaves sliding-window layers: every
 * sliding_window_pattern-th layer is full attention (or layer_types).
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims, readWindow } from '../common.ts';
import { addAttention, addEmbeddings, addGatedMlp } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readCohere(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r);
  const v2 = modelType === 'cohere2';
  const qk = !v2 && r.bool('use_qk_norm', false);
  const bias = r.bool('attention_bias', false);
  const tied = r.bool('tie_word_embeddings', true);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  addAttention(t, d, { qkvBias: bias, oBias: bias, qNorm: qk ? d.heads * d.headDim : null, kNorm: qk ? d.kvHeads * d.headDim : null });
  addGatedMlp(t, `${L}.mlp`, d.hidden, d.intermediate, d.layers);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers);
  t.norm('model.norm', d.hidden, 1);
  const window = v2 ? (readWindow(r) ?? 4096) : null;
  const pattern = v2 ? r.optInt('sliding_window_pattern', 4, LIMITS.layers) : 1;
  return finishSpec(r, {
    modelType,
    adapter: modelType,
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, norm: 'layer', normsPerLayer: 1, parallelResidual: true, qkNorm: qk ? 'head' : 'none', activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, d.layers, { window, sliding: (i) => (i + 1) % pattern !== 0 }),
    tensors: t,
  });
}
