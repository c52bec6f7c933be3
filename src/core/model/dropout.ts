/**
 * Dropout probabilities that make training save masks. Attention dropout is left out: SDPA/FlashAttention
 * regenerate the mask from the RNG state instead of saving it.
 */
import type { DropoutSpec } from '../types.ts';

const RESIDUAL_KEYS = ['resid_pdrop', 'hidden_dropout', 'hidden_dropout_prob', 'residual_dropout'];
const EMBEDDING_KEYS = ['embd_pdrop', 'embedding_dropout'];

function prob(config: Record<string, unknown>, keys: readonly string[]): number {
  for (const k of keys) {
    const v = config[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1) return v;
  }
  return 0;
}

export function readDropout(config: Record<string, unknown>): DropoutSpec {
  return { residual: prob(config, RESIDUAL_KEYS), embedding: prob(config, EMBEDDING_KEYS) };
}
