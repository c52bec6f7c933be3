/**
 * Hand-built ModelSpecs for unit tests of the memory terms, so that term tests do not depend on the config adapters.
 * Shapes are those of public models; parameter totals are computed here from the listed tensors.
 */
import type { LayerSpec, ModelSpec, TensorGroup } from '../../../src/core/types.ts';
import { LLAMA_BLOCK } from '../../../src/core/model/common.ts';

export interface LlamaShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim?: number;
  intermediate: number;
  vocab: number;
  tied: boolean;
  window?: number;
}

export function llamaLike(s: LlamaShape, modelType = 'llama'): ModelSpec {
  const hd = s.headDim ?? s.hidden / s.heads;
  const L = s.layers;
  const lin = (name: string, module: string, out: number, inp: number): TensorGroup => ({ name, role: 'linear', numel: out * inp, count: L, shape: [out, inp], module });
  const tensors: TensorGroup[] = [
    { name: 'model.embed_tokens.weight', role: 'embedding', numel: s.vocab * s.hidden, count: 1 },
    lin('q_proj', 'q_proj', s.heads * hd, s.hidden),
    lin('k_proj', 'k_proj', s.kvHeads * hd, s.hidden),
    lin('v_proj', 'v_proj', s.kvHeads * hd, s.hidden),
    lin('o_proj', 'o_proj', s.hidden, s.heads * hd),
    lin('gate_proj', 'gate_proj', s.intermediate, s.hidden),
    lin('up_proj', 'up_proj', s.intermediate, s.hidden),
    lin('down_proj', 'down_proj', s.hidden, s.intermediate),
    { name: 'norms', role: 'norm', numel: s.hidden, count: 2 * L + 1 },
  ];
  if (!s.tied) tensors.push({ name: 'lm_head.weight', role: 'lm_head', numel: s.vocab * s.hidden, count: 1, shape: [s.vocab, s.hidden] });
  const total = tensors.reduce((a, t) => a + t.numel * t.count, 0);
  const layerKinds: LayerSpec[] = Array.from({ length: L }, () => (s.window ? { attention: 'sliding', window: s.window, moe: false } : { attention: 'full', moe: false }));
  return {
    modelType,
    adapter: 'test',
    architectures: [],
    hidden: s.hidden,
    layers: L,
    heads: s.heads,
    kvHeads: s.kvHeads,
    headDim: hd,
    vocab: s.vocab,
    intermediate: s.intermediate,
    tiedEmbeddings: s.tied,
    maxPositions: null,
    configDtype: 'bf16',
    block: { ...LLAMA_BLOCK },
    layerKinds,
    mla: null,
    moe: null,
    tensors,
    params: { total, embedding: s.vocab * s.hidden, active: total },
    assumptions: [],
  };
}

/** Llama-3.2-1B: 1,235,814,400 parameters (measured). */
export const LLAMA_32_1B = llamaLike({ hidden: 2048, layers: 16, heads: 32, kvHeads: 8, headDim: 64, intermediate: 8192, vocab: 128256, tied: true });
/** Llama-3-8B: 128 KiB of KV cache per token in bf16. */
export const LLAMA_3_8B = llamaLike({ hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128256, tied: false });
/** Llama-2-7B (MHA): 512 KiB per token. */
export const LLAMA_2_7B = llamaLike({ hidden: 4096, layers: 32, heads: 32, kvHeads: 32, intermediate: 11008, vocab: 32000, tied: false });
/** Llama-3-70B: 320 KiB per token. */
export const LLAMA_3_70B = llamaLike({ hidden: 8192, layers: 80, heads: 64, kvHeads: 8, intermediate: 28672, vocab: 128256, tied: false });
/** Mistral-7B v0.1 with its 4096-token sliding window. */
export const MISTRAL_7B = llamaLike({ hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 32000, tied: false, window: 4096 }, 'mistral');
