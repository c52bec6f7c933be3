/**
 * The operator table: for one decoder layer (dense or MoE) and for the head after the layers, every operator with
 * its forward FLOPs per token, the activation bytes it reads and writes per token, and the bytes autograd saves per
 * token for backward. The activation model sums `savedPerToken`; the roofline reads `flopsPerToken` and
 * `bytesPerToken` of the same rows, so memory and time never keep two inventories.
 *
 * Saved bytes follow the saved-tensor reasoning of Korthikanti et al. (arXiv 2205.05198, §4) applied to a modern
 * block (RMSNorm, SwiGLU, GQA, SDPA/FlashAttention without s² terms), calibrated on test/fixtures/measured.
 * Element sizes: `computeBytes` = matmul outputs and attention operands; `residualBytes` = the residual stream (fp32
 * under autocast, where the embeddings stay fp32).
 */
import type { ModelSpec, MoeSpec } from '../types.ts';
import { layerDims, type LayerDims } from '../memory/dims.ts';

export interface OpContext {
  /** Keys each query attends to (training: the sequence length). */
  contextTokens: number;
  /** Bytes per score element saved by SDPA's math kernel; 0 when a fused kernel (flash, memory-efficient) runs. */
  mathSavedPerScore: number;
  /** Bytes of compute-dtype elements. */
  computeBytes: number;
  /** Bytes of residual-stream elements. */
  residualBytes: number;
  autocast: boolean;
  /** LoRA rank when the base model is frozen and fp32 adapters sit on every decoder linear layer. */
  loraRank: number | null;
  /** The training forward builds a KV cache (transformers: use_cache without gradient checkpointing). */
  keepsCache: boolean;
  /**
   * Megatron sequence parallelism: the tensors outside attention and the MLP (norms, their outputs that the next
   * linear layers save, dropout masks) are divided over the tensor-parallel ranks. 1 without it.
   */
  sequenceShards?: number;
}

/** Bytes of a sequence-sharded tensor on one rank. */
const seqShard = (bytes: number, ctx: OpContext) => (ctx.sequenceShards && ctx.sequenceShards > 1 ? Math.ceil(bytes / ctx.sequenceShards) : bytes);

/** One row of the operator table (per token of the batch). */
export interface Op {
  name: string;
  /** The line of the activation inventory its saved bytes are listed under. */
  part: string;
  /** Forward FLOPs per token (a matmul: 2 · in · out). */
  flopsPerToken: number;
  /** Activation bytes read and written per token in the forward (weights excluded). */
  bytesPerToken: number;
  /** Bytes autograd saves per token for backward. */
  savedPerToken: number;
  /** Weight elements the operator reads once per forward (one layer); routed experts: all experts of the layer. */
  weightElements?: number;
  /** Attention over the context: `flopsPerToken` was counted at `OpContext.contextTokens` keys per query. */
  attendsContext?: boolean;
  /** Routed experts: each token reads `topK` of `experts` equal experts (the roofline counts the ones touched). */
  routed?: { experts: number; topK: number };
}

/** Every row has the same fields (one object shape, so the table stays fast to build and read). */
function row(name: string, part: string, savedPerToken: number, flopsPerToken = 0, bytesPerToken = 0, weightElements = 0, extra?: Pick<Op, 'attendsContext' | 'routed'>): Op {
  return { name, part, flopsPerToken, bytesPerToken, savedPerToken, weightElements, attendsContext: extra?.attendsContext, routed: extra?.routed };
}

/** Bytes one norm saves per token (weight trainable or frozen). */
function normSaved(spec: ModelSpec, width: number, ctx: OpContext, trainable: boolean): number {
  const kind = spec.block.norm;
  if (kind === 'layer') return ctx.residualBytes * width; // native_layer_norm keeps its input (+ per-row mean/rstd)
  if (ctx.residualBytes === 4) return (trainable ? 8 : 4) * width; // fp32 input itself + fp32 normalized output
  if (kind === 'rms') return (trainable ? 6 : 4) * width; // fp32 upcast copy + normalized tensor in model dtype
  return (trainable ? 8 : 4) * width; // Gemma-style: fp32 upcast + fp32 normalized (weight applied in fp32)
}

/** Whether a norm's output is fp32 (then autocast casts it separately for every consuming linear layer). */
function normOutIsFp32(ctx: OpContext): boolean {
  return ctx.residualBytes === 4;
}

/**
 * Bytes saved for the input of `consumers` linear layers that read one tensor of `width` elements.
 * Full fine-tuning: the input in the compute dtype (autocast makes one cast per consumer of an fp32 tensor).
 * LoRA: the frozen base layer saves nothing; each adapter saves an fp32 copy of its input and its rank-r output.
 */
function linearInputs(width: number, consumers: number, inputFp32: boolean, ctx: OpContext): number {
  if (ctx.loraRank !== null) {
    const casts = inputFp32 ? 4 * width : 4 * width * consumers;
    return casts + 4 * ctx.loraRank * consumers;
  }
  if (ctx.autocast && inputFp32) return ctx.computeBytes * width * consumers;
  return (inputFp32 ? 4 : ctx.computeBytes) * width;
}

/** A matmul row: saved input bytes, 2·in·out FLOPs, input and output activations moved, in·out weights. */
function matmul(name: string, part: string, saved: number, inWidth: number, outWidth: number, ctx: OpContext, flops = 2 * inWidth * outWidth): Op {
  return row(name, part, saved, flops, ctx.computeBytes * (inWidth + outWidth), flops / 2);
}

/** Forward FLOPs of the attention projections per token (MLA: the low-rank down and up projections). */
function attentionProjectionFlops(spec: ModelSpec, d: LayerDims): number {
  const m = spec.mla;
  if (!m) return 2 * d.hidden * (d.q + 2 * spec.kvHeads * spec.headDim);
  const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
  const q = m.qLoraRank === null ? d.hidden * spec.heads * qk : d.hidden * m.qLoraRank + m.qLoraRank * spec.heads * qk;
  const kv = d.hidden * (m.kvLoraRank + m.qkRopeHeadDim) + m.kvLoraRank * spec.heads * (m.qkNopeHeadDim + m.vHeadDim);
  return 2 * (q + kv);
}

function normRows(spec: ModelSpec, d: LayerDims, ctx: OpContext): Op[] {
  const n = spec.block.normsPerLayer;
  const trainable = ctx.loraRank === null;
  return [row('norms', 'norms', seqShard(n * normSaved(spec, d.hidden, ctx, trainable), ctx), n * 4 * d.hidden, n * (ctx.residualBytes + ctx.computeBytes) * d.hidden)];
}

/** The linear layers that read the norms' outputs: attention's projections and the MLP's (or the router's) inputs. */
function inputProjectionRows(spec: ModelSpec, d: LayerDims, moe: MoeSpec | null, ctx: OpContext): Op[] {
  const fp32Norm = normOutIsFp32(ctx);
  const mlpConsumers = moe ? 1 + (moe.sharedExperts > 0 ? d.mlpInConsumers : 0) : d.mlpInConsumers;
  const attnFlops = attentionProjectionFlops(spec, d);
  if (spec.block.normsPerLayer === 1 && spec.block.parallelResidual) {
    const saved = seqShard(linearInputs(d.hidden, d.attnInConsumers + mlpConsumers, fp32Norm, ctx), ctx);
    return [matmul('attention + MLP input projections', 'linear inputs', saved, d.hidden, d.q, ctx, attnFlops)];
  }
  return [
    matmul('q, k, v projections', 'linear inputs', seqShard(linearInputs(d.hidden, d.attnInConsumers, fp32Norm, ctx), ctx), d.hidden, d.q + 2 * d.k, ctx, attnFlops),
    matmul('MLP input', 'linear inputs', seqShard(linearInputs(d.hidden, mlpConsumers, fp32Norm, ctx), ctx), d.hidden, 0, ctx),
  ];
}

/** SDPA and what the attention around it keeps: q, k, v, output and logsumexp; math-kernel probabilities; cache copies. */
function attentionRows(spec: ModelSpec, d: LayerDims, ctx: OpContext): Op[] {
  const { computeBytes: a } = ctx;
  const b = spec.block;
  const rope = !b.absolutePositions;
  const trainable = ctx.loraRank === null;
  const headDims = spec.mla ? spec.mla.qkNopeHeadDim + spec.mla.qkRopeHeadDim + spec.mla.vHeadDim : 2 * spec.headDim;
  const qkvo = a * (d.q + d.k + d.v + d.o);
  const rows: Op[] = [row('attention (SDPA)', 'attention q,k,v,out', qkvo, 2 * spec.heads * headDims * ctx.contextTokens, qkvo, 0, { attendsContext: true })];
  if (ctx.mathSavedPerScore > 0) {
    // The math kernel keeps fp32 attention probabilities (heads × seq per token) and fp32 copies of q, k, v.
    rows.push(row('attention scores (math SDPA)', 'attention probabilities (math SDPA)', Math.round(ctx.mathSavedPerScore * spec.heads * ctx.contextTokens) + 4 * (d.q + d.k + d.v)));
  }
  if (ctx.autocast && rope && ctx.keepsCache) rows.push(row('KV cache append', 'fp32 keys kept by the cache', 4 * d.k));
  if (b.fusedQkv) {
    const extra = rope ? (ctx.keepsCache ? 0 : a * (d.q + d.k)) : ctx.keepsCache ? a * (d.k + d.v) : 0;
    rows.push(row('fused qkv split', 'fused qkv output', extra));
  }
  if (b.qkNorm !== 'none') {
    const per = ctx.residualBytes === 4 && !ctx.autocast ? 8 : b.norm === 'rms_f32w' ? 8 : 6;
    rows.push(row('q/k norms', 'q/k norms', (trainable ? per : 4) * (d.q + d.k), 4 * (d.q + d.k)));
  }
  if (d.mlaLatent > 0) rows.push(row('MLA latents', 'MLA latents', (trainable ? 6 : 4) * d.mlaLatent + linearInputs(d.mlaLatent, 1, false, ctx)));
  // Full fine-tuning: o_proj's input is the attention output, already counted.
  rows.push(matmul('o_proj', 'o_proj input', ctx.loraRank !== null ? linearInputs(d.o, 1, false, ctx) : 0, d.o, d.hidden, ctx));
  return rows;
}

/** Saved bytes per token inside a dense MLP of width `width` (its input is counted with the input projections). */
function mlpSaved(spec: ModelSpec, width: number, ctx: OpContext): number {
  const a = ctx.computeBytes;
  const b = spec.block;
  const lora = ctx.loraRank !== null;
  const down = lora ? linearInputs(width, 1, false, ctx) : 0;
  if (b.mlp === 'gated') return (lora ? 3 : 4) * a * width + down; // gate out, act out, up out (+ product saved by down_proj)
  if (b.activation === 'gelu_new') {
    // tanh-GELU as 7 elementwise ops: saves its input, tanh out, 1 + tanh, 0.5·x (+ its output, saved by fc2).
    // Under autocast pow runs in fp32: the input is saved as an fp32 copy and tanh/1+tanh/the output are fp32.
    if (ctx.autocast) return (lora ? 14 : 16) * width + down;
    return (lora ? 4 : 5) * a * width + down;
  }
  return (lora ? 1 : 2) * a * width + down; // fc1 out (+ act out saved by fc2)
}

/** An MLP of width `width`: its matmuls (gate/up/down or fc1/fc2), activation and saved intermediates. */
function mlpRow(spec: ModelSpec, name: string, part: string, width: number, ctx: OpContext): Op {
  const matrices = spec.block.mlp === 'gated' ? 3 : 2;
  return row(name, part, mlpSaved(spec, width, ctx), 2 * matrices * spec.hidden * width, ctx.computeBytes * (matrices + 1) * width, matrices * spec.hidden * width);
}

function feedForwardRows(spec: ModelSpec, d: LayerDims, moe: MoeSpec | null, ctx: OpContext): Op[] {
  if (!moe) return [mlpRow(spec, 'MLP', 'MLP', d.mlpWidth, ctx)];
  const a = ctx.computeBytes;
  const trainable = ctx.loraRank === null;
  const perRouted = trainable ? 2 * a * d.hidden + 4 * a * moe.expertIntermediate : a * d.hidden + 3 * a * moe.expertIntermediate;
  const expertWeights = moe.experts * 3 * d.hidden * moe.expertIntermediate;
  const rows: Op[] = [
    row('router', 'router', a * moe.experts + 4 * moe.experts, 2 * d.hidden * moe.experts, (a + 4) * moe.experts, d.hidden * moe.experts),
    row('routed experts', 'routed experts', moe.topK * perRouted, moe.topK * 2 * 3 * d.hidden * moe.expertIntermediate, moe.topK * a * (2 * d.hidden + 3 * moe.expertIntermediate), expertWeights, {
      routed: { experts: moe.experts, topK: moe.topK },
    }),
  ];
  if (moe.sharedExperts > 0) rows.push(mlpRow(spec, 'shared experts', 'shared experts', moe.sharedIntermediate * moe.sharedExperts, ctx));
  return rows;
}

/** Every operator of one decoder layer (MoE feed-forward when `moeLayer`). */
export function decoderLayerOps(spec: ModelSpec, ctx: OpContext, moeLayer: boolean, d: LayerDims = layerDims(spec)): Op[] {
  const moe = moeLayer && spec.moe ? spec.moe : null;
  const rows = [...normRows(spec, d, ctx), ...inputProjectionRows(spec, d, moe, ctx), ...attentionRows(spec, d, ctx), ...feedForwardRows(spec, d, moe, ctx)];
  // Residual dropout saves a 1-byte mask after the attention and the MLP output (one site in a parallel block).
  if ((spec.dropout?.residual ?? 0) > 0) rows.push(row('residual dropout', 'dropout masks', seqShard((spec.block.parallelResidual ? 1 : 2) * d.hidden, ctx)));
  return rows;
}

/** The operators after the layers: final norm, lm_head (its input saved when trainable) and the embedding dropout. */
export function headOps(spec: ModelSpec, ctx: OpContext): Op[] {
  const trainable = ctx.loraRank === null;
  const rows = [
    row('final norm', 'final norm', seqShard(normSaved(spec, spec.hidden, ctx, trainable), ctx), 4 * spec.hidden, (ctx.residualBytes + ctx.computeBytes) * spec.hidden),
    row('lm_head', 'lm_head input', trainable ? linearInputs(spec.hidden, 1, normOutIsFp32(ctx), ctx) : 0, 2 * spec.hidden * spec.vocab, ctx.computeBytes * (spec.hidden + spec.vocab), spec.hidden * spec.vocab),
  ];
  if ((spec.dropout?.embedding ?? 0) > 0) rows.push(row('embedding dropout', 'embedding dropout mask', spec.hidden));
  return rows;
}

/** Bytes autograd saves per token over a list of operators. */
export function savedBytesPerToken(ops: readonly Op[]): number {
  let s = 0;
  for (const o of ops) s += o.savedPerToken;
  return s;
}

/** Forward FLOPs per token over a list of operators. */
export function flopsPerToken(ops: readonly Op[]): number {
  let s = 0;
  for (const o of ops) s += o.flopsPerToken;
  return s;
}

/** Saved bytes per token grouped by inventory line, in table order, lines with nothing saved left out. */
export function savedByPart(ops: readonly Op[]): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const o of ops) if (o.savedPerToken > 0) parts[o.part] = (parts[o.part] ?? 0) + o.savedPerToken;
  return parts;
}
