/**
 * torch.autocast keeps a 16-bit copy of every fp32 weight used in a matmul (its weight cast cache) until the
 * backward of that matmul; with gradient checkpointing only lm_head's copy is saved, and the recomputed layer casts
 * its own weights again.
 */
import type { ModelSpec, Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { splitParams } from './weights.ts';

export interface AutocastCopies {
  /** Alive in the forward with the loss. */
  forward: Term;
  /** Alive in the loss backward. */
  backward: Term;
  /** Alive while a checkpointed layer is recomputed (null without checkpointing). */
  recompute: Term | null;
}

function copiesTerm(label: string, params: number, copyBytes: number, note: string): Term {
  return makeTerm(
    {
      id: 'autocast_weight_copies',
      label,
      formula: 'params * copy_bytes',
      inputs: { params, copy_bytes: copyBytes },
      source: 'torch.autocast weight cast cache (leaf tensors); casts saved by autograd for backward',
      note,
    },
    params * copyBytes,
  );
}

export function autocastCopyTerms(spec: ModelSpec, copyBytes: number, checkpointing: boolean): AutocastCopies {
  const split = splitParams(spec);
  const headParams = spec.vocab * spec.hidden;
  const extraMatmulParams = spec.tensors.filter((t) => t.role === 'lm_head' || t.role === 'bias').reduce((s, t) => s + t.numel * t.count, 0);
  const matmulParams = split.linear + (spec.tiedEmbeddings ? headParams : 0) + extraMatmulParams;
  const all = copiesTerm('Autocast weight copies', matmulParams, copyBytes, 'a 16-bit copy of every weight used in a matmul');
  if (!checkpointing) return { forward: all, backward: all, recompute: null };
  const layerParams = Math.ceil(split.linear / Math.max(1, spec.layers)) + headParams;
  return {
    forward: all,
    backward: copiesTerm('Autocast weight copies', headParams, copyBytes, 'lm_head copy saved by autograd (layers are recomputed)'),
    recompute: copiesTerm('Autocast weight copies', layerParams, copyBytes, 'the recomputed layer and lm_head'),
  };
}
