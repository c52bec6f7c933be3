/** Widths (elements per token) of the tensors inside one decoder layer, derived from a ModelSpec. */
import type { ModelSpec } from '../types.ts';

export interface LayerDims {
  /** Hidden size (the residual stream's width). */
  hidden: number;
  /** Query width entering attention. */
  q: number;
  /** Key and value widths entering attention (MLA: per-head keys/values after up-projection; v padded to the qk head dim). */
  k: number;
  v: number;
  /** o_proj input width. */
  o: number;
  /** Dense MLP width. */
  mlpWidth: number;
  /** Linear layers reading the attention norm's output, and the MLP norm's output. */
  attnInConsumers: number;
  mlpInConsumers: number;
  /** Extra low-rank inputs inside MLA (q_lora_rank, kv_lora_rank) saved by q_b_proj and kv_b_proj. */
  mlaLatent: number;
}

export function layerDims(spec: ModelSpec): LayerDims {
  const b = spec.block;
  if (spec.mla) {
    const m = spec.mla;
    const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
    return {
      hidden: spec.hidden,
      q: spec.heads * qk,
      k: spec.heads * qk,
      v: spec.heads * Math.max(qk, m.vHeadDim),
      o: spec.heads * m.vHeadDim,
      mlpWidth: spec.intermediate,
      attnInConsumers: 2,
      mlpInConsumers: b.mlp === 'gated' && !b.fusedGateUp ? 2 : 1,
      mlaLatent: (m.qLoraRank ?? 0) + m.kvLoraRank,
    };
  }
  return {
    hidden: spec.hidden,
    q: spec.heads * spec.headDim,
    k: spec.kvHeads * spec.headDim,
    v: spec.kvHeads * spec.headDim,
    o: spec.heads * spec.headDim,
    mlpWidth: spec.intermediate,
    attnInConsumers: b.fusedQkv ? 1 : 3,
    mlpInConsumers: b.mlp === 'gated' && !b.fusedGateUp ? 2 : 1,
    mlaLatent: 0,
  };
}
