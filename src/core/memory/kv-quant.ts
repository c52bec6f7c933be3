/**
 * Quantized KV cache as transformers' QuantizedCache stores it (KIVI-style, arXiv 2402.02750; formulas.md §7.2):
 * every prompt token is quantized at prefill; during decode new tokens wait in a full-precision residual of up to
 * `residual` tokens, then the whole cache is re-quantized. Each group of `group` elements keeps a scale and a zero
 * point in the model dtype. Attention reads a dequantized full-precision copy of one layer's keys and values.
 */
import type { ModelSpec, Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { kvBytesPerToken } from './kv-cache.ts';

export const KV_QUANT_BITS: Readonly<Record<'int4' | 'int2', number>> = { int4: 4, int2: 2 };

export function isQuantizedKv(kvDtype: string): kvDtype is 'int4' | 'int2' {
  return kvDtype === 'int4' || kvDtype === 'int2';
}

/** The cache for `tokens` of context, `residual` of them (at most) still in full precision. */
export function quantizedKvTerm(spec: ModelSpec, batch: number, tokens: number, residualTokens: number, bits: number, group: number, computeBytes: number): Term {
  const elems = kvBytesPerToken(spec, 1);
  const residual = Math.min(residualTokens, tokens);
  const quantized = tokens - residual;
  const perElement = bits / 8 + (2 * computeBytes) / group;
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache (quantized)',
      formula: 'batch * kv_elems * (quantized_tokens * (bits / 8 + 2 * scale_bytes / group) + residual_tokens * full_bytes)',
      inputs: { batch, kv_elems: elems, quantized_tokens: quantized, bits, scale_bytes: computeBytes, group, residual_tokens: residual, full_bytes: computeBytes },
      source: 'transformers QuantizedCache (KIVI, arXiv 2402.02750): b-bit codes + scale and zero point per group, full-precision residual',
      note: `${bits}-bit codes, a scale and a zero point per ${group} elements; up to ${residual} recent tokens in full precision`,
    },
    batch * elems * (quantized * perElement + residual * computeBytes),
  );
}

/** Decode: one layer's keys and values dequantized to full precision for attention. */
export function quantizedKvDequantTerm(spec: ModelSpec, batch: number, tokens: number, computeBytes: number): Term {
  const layerElems = Math.ceil(kvBytesPerToken(spec, 1) / Math.max(1, spec.layers));
  return makeTerm(
    {
      id: 'kv_growth',
      label: 'KV dequantized copy (one layer)',
      formula: 'batch * tokens * layer_kv_elems * full_bytes',
      inputs: { batch, tokens, layer_kv_elems: layerElems, full_bytes: computeBytes },
      source: 'transformers QuantizedLayer.update: dequantized keys and values concatenated with the residual',
    },
    batch * tokens * layerElems * computeBytes,
  );
}
