/** Phi-3: Llama-like with one fused qkv_proj and one fused gate_up_proj; sliding_window on every layer. */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims, readWindow } from '../common.ts';
import { addEmbeddings } from '../llama-like.ts';
import type { ConfigReader } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readPhi3(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r);
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  const qkv = (d.heads + 2 * d.kvHeads) * d.headDim;
  t.linear(`${L}.self_attn.qkv_proj`, 'qkv_proj', qkv, d.hidden, d.layers);
  t.linear(`${L}.self_attn.o_proj`, 'o_proj', d.hidden, d.heads * d.headDim, d.layers);
  t.linear(`${L}.mlp.gate_up_proj`, 'gate_up_proj', 2 * d.intermediate, d.hidden, d.layers);
  t.linear(`${L}.mlp.down_proj`, 'down_proj', d.hidden, d.intermediate, d.layers);
  t.norm(`${L}.input_layernorm`, d.hidden, d.layers);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, d.layers);
  t.norm('model.norm', d.hidden, 1);
  return finishSpec(r, {
    modelType,
    adapter: 'phi3',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, fusedQkv: true, fusedGateUp: true, activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, d.layers, { window: readWindow(r) }),
    tensors: t,
  });
}
