/**
 * Storage sizes of the dtypes a user can pick, with the per-block constants of quantized formats.
 * Returned as exact rationals (numerator bytes per `per` elements) so byte counts stay integers.
 */
import type { Precision, WeightDtype } from './scenario.ts';

export type FloatDtype = 'fp32' | 'fp16' | 'bf16';

export interface StorageFormat {
  /** Bytes for one block of `block` elements (codes + per-block constants). */
  blockBytes: number;
  block: number;
  /** What the numbers mean, for the formula note. */
  layout: string;
  source: string;
}

export const FLOAT_BYTES: Record<FloatDtype | 'fp8', number> = { fp32: 4, fp16: 2, bf16: 2, fp8: 1 };

/**
 * Quantized formats store only linear (and expert) weights this way; embeddings, lm_head and norms stay 16-bit.
 * - nf4: bitsandbytes 4-bit, block 64 with one fp32 absmax per block (transformers' BitsAndBytesConfig default: no
 *   double quantization) = 0.5 + 4/64 B/param (QLoRA §3).
 * - int4: GPTQ/AWQ-style groups of 128 with an fp16 scale and a packed 4-bit zero point per group.
 * - int8: LLM.int8()/per-channel 8-bit; one fp32 scale per output row is ignored here (< 0.1%).
 * - fp8: e4m3 weights with a per-tensor scale (negligible).
 */
export const STORAGE: Readonly<Record<WeightDtype, StorageFormat>> = {
  fp32: { blockBytes: 4, block: 1, layout: '4 B/param', source: 'IEEE 754 single precision' },
  fp16: { blockBytes: 2, block: 1, layout: '2 B/param', source: 'IEEE 754 half precision' },
  bf16: { blockBytes: 2, block: 1, layout: '2 B/param', source: 'bfloat16' },
  fp8: { blockBytes: 1, block: 1, layout: '1 B/param (e4m3, per-tensor scale)', source: 'FP8 formats for deep learning (arXiv 2209.05433)' },
  int8: { blockBytes: 1, block: 1, layout: '1 B/param', source: 'LLM.int8() (arXiv 2208.07339)' },
  int4: { blockBytes: 64 + 2 + 0.5, block: 128, layout: '4-bit codes + fp16 scale + 4-bit zero per 128', source: 'GPTQ/AWQ group-wise 4-bit (arXiv 2210.17323)' },
  nf4: { blockBytes: 32 + 4, block: 64, layout: '4-bit codes + fp32 absmax per 64', source: 'QLoRA §3 (arXiv 2305.14314), bitsandbytes blocksize 64' },
};

export function isQuantized(dtype: WeightDtype): boolean {
  return dtype === 'int8' || dtype === 'int4' || dtype === 'nf4' || dtype === 'fp8';
}

/** Bytes of `numel` elements in a storage format, rounded up to whole blocks (and to a whole byte). */
export function storageBytes(numel: number, dtype: WeightDtype): number {
  const f = STORAGE[dtype];
  if (f.block === 1) return numel * f.blockBytes;
  // int4 blocks are 66.5 bytes: two blocks share the byte of their packed zero points; a whole byte for an odd one.
  return Math.ceil(Math.ceil(numel / f.block) * f.blockBytes);
}

/** How a precision mode stores trainable parameters and computes. */
export interface PrecisionPlan {
  /** dtype of parameters (and of their gradients and torch.optim states). */
  param: FloatDtype;
  /** dtype of matmul operands and activations. */
  compute: FloatDtype;
  /** torch.autocast: fp32 params, low-precision casts of weights kept for backward. */
  autocast: boolean;
}

export function precisionPlan(p: Precision): PrecisionPlan {
  switch (p) {
    case 'fp32':
      return { param: 'fp32', compute: 'fp32', autocast: false };
    case 'bf16':
      return { param: 'bf16', compute: 'bf16', autocast: false };
    case 'fp16':
      return { param: 'fp16', compute: 'fp16', autocast: false };
    case 'amp-bf16':
      return { param: 'fp32', compute: 'bf16', autocast: true };
    case 'amp-fp16':
      return { param: 'fp32', compute: 'fp16', autocast: true };
  }
}
