/**
 * Activation memory from an inventory of the tensors that PyTorch eager autograd saves in one decoder layer
 * (training), and of the tensors alive at once inside the largest layer (inference, under no_grad).
 *
 * Element sizes: `a` = compute dtype (matmul outputs, attention operands), `r` = residual stream dtype (fp32 under
 * autocast, where the embeddings stay fp32). The derivation follows the saved-tensor reasoning of Korthikanti et
 * al. (arXiv 2205.05198, §4) applied to a modern block (RMSNorm, SwiGLU, GQA, SDPA/FlashAttention without s² terms);
 * every item is listed in `parts` so the webview can show it.
 */
import type { ModelSpec } from '../types.ts';
import { layerDims, type LayerDims } from './dims.ts';

export interface ActContext {
  /** Keys each query attends to (training: the sequence length); used when attention scores are materialized. */
  ctxLen: number;
  /** Bytes per score element saved by SDPA's math kernel; 0 when a fused kernel (flash, memory-efficient) runs. */
  mathSavedPerScore: number;
  /** Bytes of compute-dtype elements. */
  a: number;
  /** Bytes of residual-stream elements. */
  r: number;
  autocast: boolean;
  /** LoRA rank when the base model is frozen and adapters (fp32) sit on every decoder linear layer. */
  lora: number | null;
  /** The training forward builds a KV cache (transformers: use_cache without gradient checkpointing). */
  keepsCache: boolean;
}

export type Parts = Record<string, number>;

function add(parts: Parts, key: string, bytes: number): void {
  if (bytes > 0) parts[key] = (parts[key] ?? 0) + bytes;
}

export function total(parts: Parts): number {
  let s = 0;
  for (const k in parts) s += parts[k]!;
  return s;
}

/** Bytes one norm saves per token (weight trainable or frozen). */
function normSaved(spec: ModelSpec, width: number, ctx: ActContext, trainable: boolean): number {
  const kind = spec.block.norm;
  if (kind === 'layer') return ctx.r * width; // native_layer_norm keeps its input (+ per-row mean/rstd)
  if (ctx.r === 4) return (trainable ? 8 : 4) * width; // fp32 input itself + fp32 normalized output
  if (kind === 'rms') return (trainable ? 6 : 4) * width; // fp32 upcast copy + normalized tensor in model dtype
  return (trainable ? 8 : 4) * width; // Gemma-style: fp32 upcast + fp32 normalized (weight applied in fp32)
}

/** Whether a norm's output is fp32 (then autocast casts it separately for every consuming linear layer). */
function normOutIsFp32(spec: ModelSpec, ctx: ActContext): boolean {
  return ctx.r === 4;
}

/**
 * Bytes saved for the input of `consumers` linear layers that read one tensor of `width` elements.
 * Full fine-tuning: the input in the compute dtype (autocast makes one cast per consumer of an fp32 tensor).
 * LoRA: the frozen base layer saves nothing; each adapter saves an fp32 copy of its input and its rank-r output.
 */
function linearInputs(width: number, consumers: number, inputFp32: boolean, ctx: ActContext): number {
  if (ctx.lora !== null) {
    const casts = inputFp32 ? 4 * width : 4 * width * consumers;
    return casts + 4 * ctx.lora * consumers;
  }
  if (ctx.autocast && inputFp32) return ctx.a * width * consumers;
  return (inputFp32 ? 4 : ctx.a) * width;
}

/** Saved bytes per token for one decoder layer in a training forward (no checkpointing). */
export function trainingLayerParts(spec: ModelSpec, ctx: ActContext, moeLayer: boolean, d: LayerDims = layerDims(spec)): Parts {
  const p: Parts = {};
  const { a } = ctx;
  const b = spec.block;
  const trainable = ctx.lora === null;
  const fp32Norm = normOutIsFp32(spec, ctx);
  const rope = !b.absolutePositions;

  // Norms: pre-attention and pre-MLP (one shared norm when the block is parallel with a single norm), plus post-norms.
  add(p, 'norms', b.normsPerLayer * normSaved(spec, d.h, ctx, trainable));

  // Linear inputs reading the norms' outputs.
  const moe = moeLayer && spec.moe ? spec.moe : null;
  const mlpConsumers = moe ? 1 + (moe.sharedExperts > 0 ? d.mlpInConsumers : 0) : d.mlpInConsumers;
  if (b.normsPerLayer === 1 && b.parallelResidual) {
    add(p, 'linear inputs', linearInputs(d.h, d.attnInConsumers + mlpConsumers, fp32Norm, ctx));
  } else {
    add(p, 'linear inputs', linearInputs(d.h, d.attnInConsumers, fp32Norm, ctx));
    add(p, 'linear inputs', linearInputs(d.h, mlpConsumers, fp32Norm, ctx));
  }

  // Attention (SDPA / FlashAttention: q, k, v, output and the per-row logsumexp; no s×s matrix).
  add(p, 'attention q,k,v,out', a * (d.q + d.k + d.v + d.o));
  if (ctx.mathSavedPerScore > 0) {
    // The math kernel keeps fp32 attention probabilities (heads × seq per token) and fp32 copies of q, k, v.
    add(p, 'attention probabilities (math SDPA)', Math.round(ctx.mathSavedPerScore * spec.heads * ctx.ctxLen) + 4 * (d.q + d.k + d.v));
  }
  if (ctx.autocast && rope && ctx.keepsCache) add(p, 'fp32 keys kept by the cache', 4 * d.k);
  if (b.fusedQkv) {
    const extra = rope ? (ctx.keepsCache ? 0 : a * (d.q + d.k)) : ctx.keepsCache ? a * (d.k + d.v) : 0;
    add(p, 'fused qkv output', extra);
  }
  if (b.qkNorm !== 'none') {
    const per = ctx.r === 4 && !ctx.autocast ? 8 : b.norm === 'rms_f32w' ? 8 : 6;
    add(p, 'q/k norms', (trainable ? per : 4) * (d.q + d.k));
  }
  if (d.mlaLatent > 0) {
    add(p, 'MLA latents', (trainable ? 6 : 4) * d.mlaLatent + linearInputs(d.mlaLatent, 1, false, ctx));
  }
  add(p, 'o_proj input', ctx.lora !== null ? linearInputs(d.o, 1, false, ctx) : 0); // full FT: same tensor as the attention output

  // Feed-forward.
  if (moe) {
    add(p, 'router', a * moe.experts + 4 * moe.experts);
    const perRouted = trainable ? 2 * a * d.h + 4 * a * moe.expertIntermediate : a * d.h + 3 * a * moe.expertIntermediate;
    add(p, 'routed experts', moe.topK * perRouted);
    if (moe.sharedExperts > 0) add(p, 'shared experts', mlpSaved(spec, moe.sharedIntermediate * moe.sharedExperts, ctx));
  } else {
    add(p, 'MLP', mlpSaved(spec, d.i, ctx));
  }
  // Residual dropout saves a 1-byte mask after the attention and the MLP output (one site in a parallel block).
  if ((spec.dropout?.residual ?? 0) > 0) add(p, 'dropout masks', (b.parallelResidual ? 1 : 2) * d.h);
  return p;
}

/** Saved bytes per token inside a dense MLP of width i (its input is counted with the norm). */
function mlpSaved(spec: ModelSpec, i: number, ctx: ActContext): number {
  const { a } = ctx;
  const b = spec.block;
  const lora = ctx.lora !== null;
  const down = lora ? linearInputs(i, 1, false, ctx) : 0;
  if (b.mlp === 'gated') return (lora ? 3 : 4) * a * i + down; // gate out, act out, up out (+ product saved by down_proj)
  if (b.activation === 'gelu_new') {
    // tanh-GELU as 7 elementwise ops: saves its input, tanh out, 1 + tanh, 0.5·x (+ its output, saved by fc2).
    // Under autocast pow runs in fp32: the input is saved as an fp32 copy and tanh/1+tanh/the output are fp32.
    if (ctx.autocast) return (lora ? 14 : 16) * i + down;
    return (lora ? 4 : 5) * a * i + down;
  }
  return (lora ? 1 : 2) * a * i + down; // fc1 out (+ act out saved by fc2)
}

/** Saved bytes per token outside the layers: final norm and the lm_head input. */
export function trainingFinalParts(spec: ModelSpec, ctx: ActContext): Parts {
  const p: Parts = {};
  const trainable = ctx.lora === null;
  add(p, 'final norm', normSaved(spec, spec.hidden, ctx, trainable));
  if (trainable) add(p, 'lm_head input', linearInputs(spec.hidden, 1, normOutIsFp32(spec, ctx), ctx));
  if ((spec.dropout?.embedding ?? 0) > 0) add(p, 'embedding dropout mask', spec.hidden);
  return p;
}

/** Peak bytes per token of tensors alive at once inside one layer during a no_grad forward (prefill). */
export function inferenceLayerPeak(
  spec: ModelSpec,
  a: number,
  r: number,
  moeLayer: boolean,
  d: LayerDims = layerDims(spec),
  /** Bytes per token for materialized attention scores (math SDPA): bytes per score × heads × keys. */
  scoresPerToken = 0,
): number {
  const b = spec.block;
  // Layer input (held by the caller), inputs_embeds (held by the model's forward), residual after attention, normed input.
  const base = 3 * r * d.h + a * d.h + (b.parallelResidual ? a * d.h : 0);
  let mlp: number;
  const moe = moeLayer && spec.moe ? spec.moe : null;
  if (moe) {
    mlp = a * d.h + (a + 4) * moe.experts + moe.topK * a * (2 * d.h + 3 * moe.expertIntermediate);
    if (moe.sharedExperts > 0) mlp += 3 * a * moe.sharedIntermediate * moe.sharedExperts;
  } else if (b.mlp === 'gated') mlp = (b.fusedGateUp ? 4 : 3) * a * d.i;
  else mlp = (b.activation === 'gelu_new' ? 4 : 2) * a * d.i;
  const attn = 2 * r * d.h + a * d.h + a * (2 * d.q + 2 * d.k + d.v + d.o) + 2 * a * d.mlaLatent + scoresPerToken;
  return Math.max(base + mlp, attn);
}

/** The largest per-token inference peak over the model's layer kinds (dense and MoE). */
export function inferencePeakPerToken(spec: ModelSpec, a: number, r: number, scoresPerToken = 0): number {
  const d = layerDims(spec);
  const moe = moeLayerCount(spec);
  return Math.max(
    moe < spec.layers ? inferenceLayerPeak(spec, a, r, false, d, scoresPerToken) : 0,
    moe > 0 ? inferenceLayerPeak(spec, a, r, true, d, scoresPerToken) : 0,
  );
}

export function moeLayerCount(spec: ModelSpec): number {
  let n = 0;
  for (const l of spec.layerKinds) if (l.moe) n++;
  return n;
}
