/**
 * Losses that never materialize the full logits (formulas.md §6.3):
 * - Cut Cross-Entropy (Wijmans et al., arXiv 2411.09009; axolotl's CutCrossEntropyPlugin): the logits are computed
 *   block by block in on-chip memory; what is left in device memory is the fp32 log-sum-exp per token and, in
 *   backward, the gradient of the hidden states (tokens × hidden). Table 1: 24,000 MB → 1 MB forward.
 * - Liger's fused linear cross-entropy (liger_kernel.ops.fused_linear_cross_entropy): the tokens in chunks of
 *   next_power_of_2(ceil(tokens / ceil(vocab / hidden))); per chunk its logits (compute dtype) and their fp32
 *   upcast; the gradient of the hidden states is computed in the forward and kept (tokens × hidden).
 * Neither was measured here (neither package is on the GPU machine): these terms follow the papers and the code.
 */
import type { Term } from '../types.ts';
import { makeTerm } from './term.ts';

export function cceLogitsTerm(tokens: number, hidden: number, computeBytes: number, phase: 'forward' | 'backward'): Term {
  const grad = phase === 'backward' ? hidden * computeBytes : 0;
  return makeTerm(
    {
      id: 'logits',
      label: phase === 'backward' ? 'Cut Cross-Entropy (backward)' : 'Cut Cross-Entropy (forward)',
      formula: 'tokens * (lse_bytes + hidden * grad_bytes)',
      inputs: { tokens, lse_bytes: 4, hidden, grad_bytes: phase === 'backward' ? computeBytes : 0 },
      source: 'Cut Cross-Entropy (arXiv 2411.09009) §3, Table 1: no tokens × vocab tensor in device memory',
      note: phase === 'backward' ? 'fp32 log-sum-exp + gradient of the hidden states' : 'fp32 log-sum-exp per token',
    },
    tokens * (4 + grad),
  );
}

export function ligerChunkTokens(tokens: number, vocab: number, hidden: number): number {
  const inc = Math.ceil(vocab / hidden);
  const chunk = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(tokens / inc))));
  return Math.min(chunk, 2 ** Math.ceil(Math.log2(Math.max(1, tokens))));
}

export function ligerLogitsTerm(tokens: number, vocab: number, hidden: number, computeBytes: number): Term {
  const chunk = ligerChunkTokens(tokens, vocab, hidden);
  return makeTerm(
    {
      id: 'logits',
      label: 'Liger fused linear cross-entropy (one chunk)',
      formula: 'chunk_tokens * vocab * (logit_bytes + 4) + tokens * hidden * logit_bytes',
      inputs: { chunk_tokens: chunk, vocab, logit_bytes: computeBytes, tokens, hidden },
      source: 'liger_kernel fused_linear_cross_entropy_forward: chunks of next_power_of_2(ceil(BT / ceil(V / H))) tokens; grad_input kept from the forward',
      note: `logits of ${chunk} tokens at a time (+ fp32 upcast) and the gradient of the hidden states`,
    },
    chunk * vocab * (computeBytes + 4) + tokens * hidden * computeBytes,
  );
}
