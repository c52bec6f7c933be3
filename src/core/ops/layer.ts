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
import type { LayerSpec, ModelSpec, MoeSpec } from '../types.ts';
import { layerDims, type LayerDims } from '../memory/dims.ts';
import { gatedDeltaRows, mamba1Rows, mamba2Rows, type MixerRows } from './mixers.ts';

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
  // Output gate: the sigmoid's output and the attention output laid out for it (o_proj's input, the product, is
  // saved too when o_proj is trained).
  if (b.attnOutputGate) rows.push(row('attention output gate', 'attention output gate', (trainable ? 3 : 2) * a * d.o, 4 * d.o, 3 * a * d.o));
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

/**
 * Saved bytes per token of the router: its scores (compute dtype and fp32 softmax); an fp32 router also keeps its
 * fp32 input and about eight E-wide fp32 tensors of its sigmoid, bias-corrected, grouped top-k selection (measured
 * on Nemotron-H, test/fixtures/measured/hybrid-saved-h200.jsonl).
 */
function routerSaved(moe: MoeSpec, hidden: number, a: number): number {
  return moe.fp32Router ? 4 * hidden + 32 * moe.experts : a * moe.experts + 4 * moe.experts;
}

function feedForwardRows(spec: ModelSpec, d: LayerDims, moe: MoeSpec | null, ctx: OpContext): Op[] {
  if (!moe) return [mlpRow(spec, 'MLP', 'MLP', d.mlpWidth, ctx)];
  const a = ctx.computeBytes;
  const trainable = ctx.loraRank === null;
  const I = moe.expertIntermediate;
  // Per routed token: the gathered input and the weighted output, and the expert's intermediates (gated: gate,
  // activation, up and their product; plain relu²: the activation and its square).
  const perRouted = moe.plainExperts ? (trainable ? 2 : 1) * a * d.hidden + 2 * a * I : trainable ? 2 * a * d.hidden + 4 * a * I : a * d.hidden + 3 * a * I;
  const matrices = moe.plainExperts ? 2 : 3;
  const expertWeights = moe.experts * matrices * d.hidden * I;
  const rows: Op[] = [
    row('router', 'router', routerSaved(moe, d.hidden, a), 2 * d.hidden * moe.experts, (a + 4) * moe.experts, d.hidden * moe.experts),
    row('routed experts', 'routed experts', moe.topK * perRouted, moe.topK * 2 * matrices * d.hidden * I, moe.topK * a * (2 * d.hidden + matrices * I), expertWeights, {
      routed: { experts: moe.experts, topK: moe.topK },
    }),
  ];
  if (moe.sharedExperts > 0) rows.push(mlpRow(spec, 'shared experts', 'shared experts', moe.sharedIntermediate * moe.sharedExperts, ctx));
  return rows;
}

/** Attention kinds that attend over cached keys and values (the mixer of a standard layer). */
function attends(a: LayerSpec['attention']): boolean {
  return a === 'full' || a === 'sliding' || a === 'chunked' || a === 'mla';
}

/** The model's standard layer: attention with a KV cache and the dense MLP or the MoE, at the model's widths. */
export function isStandardLayer(layer: LayerSpec): boolean {
  return attends(layer.attention) && layer.ffn === undefined && !layer.sideMamba && layer.kvHeads === undefined && layer.ffnWidth === undefined;
}

/** A formula-safe name for layers of one structure: mixer, feed-forward and NAS widths (e.g. mamba_none, full_moe). */
export function layerStructureKey(l: LayerSpec): string {
  const mixer = l.linearMixer ? 'linear' : l.attention === 'linear' ? 'deltanet' : l.attention;
  const ffn = l.ffn ?? (l.moe ? 'moe' : 'mlp');
  return `${mixer}${l.sideMamba ? '_mamba' : ''}_${ffn}${l.kvHeads !== undefined ? `_kv${l.kvHeads}` : ''}${l.ffnWidth !== undefined ? `_w${l.ffnWidth}` : ''}`;
}

/**
 * Every operator of one decoder layer: a standard layer (MoE feed-forward when `layer` is true or a MoE LayerSpec),
 * or a layer whose mixer or feed-forward differs (Mamba, Gated DeltaNet, no attention, no FFN, NAS widths).
 */
export function decoderLayerOps(spec: ModelSpec, ctx: OpContext, layer: boolean | LayerSpec, d: LayerDims = layerDims(spec)): Op[] {
  if (typeof layer === 'boolean') return standardLayerOps(spec, ctx, layer, d);
  return isStandardLayer(layer) ? standardLayerOps(spec, ctx, layer.moe, d) : composedLayerOps(spec, ctx, layer, d);
}

function standardLayerOps(spec: ModelSpec, ctx: OpContext, moeLayer: boolean, d: LayerDims): Op[] {
  const moe = moeLayer && spec.moe ? spec.moe : null;
  const rows = [...normRows(spec, d, ctx), ...inputProjectionRows(spec, d, moe, ctx), ...attentionRows(spec, d, ctx), ...feedForwardRows(spec, d, moe, ctx)];
  return withResidualDropout(spec, d, ctx, rows, spec.block.parallelResidual ? 1 : 2);
}

/** Residual dropout saves a 1-byte mask after each of `sites` block outputs. */
function withResidualDropout(spec: ModelSpec, d: LayerDims, ctx: OpContext, rows: Op[], sites: number): Op[] {
  if ((spec.dropout?.residual ?? 0) > 0 && sites > 0) rows.push(row('residual dropout', 'dropout masks', seqShard(sites * d.hidden, ctx)));
  return rows;
}

/** A layer's own widths: NAS layers override the key/value heads and the MLP width. */
function dimsOf(spec: ModelSpec, layer: LayerSpec, d: LayerDims): LayerDims {
  if (layer.kvHeads === undefined && layer.ffnWidth === undefined) return d;
  const kv = (layer.kvHeads ?? spec.kvHeads) * spec.headDim;
  return { ...d, k: kv, v: kv, mlpWidth: layer.ffnWidth ?? d.mlpWidth };
}

/** Which mixers a layer runs on its first norm's output. */
interface Mixers {
  attention: boolean;
  mamba: boolean;
  gatedDelta: boolean;
  linear: boolean;
}

function mixersOf(layer: LayerSpec): Mixers {
  const a = layer.attention;
  return { attention: attends(a), mamba: a === 'mamba' || !!layer.sideMamba, gatedDelta: a === 'linear', linear: !!layer.linearMixer };
}

function mixerRows(spec: ModelSpec, m: Mixers, ctx: OpContext): { rows: Op[]; consumers: number; flops: number } {
  const rows: Op[] = [];
  let consumers = 0;
  let flops = 0;
  const H = spec.hidden;
  const mm = spec.mambaMixer;
  if (m.mamba && mm) {
    consumers++;
    flops += 2 * H * mm.proj;
    pushMixer(rows, 'Mamba', mm.version === 1 ? mamba1Rows(mm, ctx) : mamba2Rows(mm, ctx), mm.inner, H, ctx);
  }
  const g = spec.linearMixer;
  if (m.gatedDelta && g) {
    consumers += 2; // in_proj_qkvz and in_proj_ba
    flops += 2 * H * (g.convDim + g.valueHeads * g.valueDim + 2 * g.valueHeads);
    pushMixer(rows, 'Gated DeltaNet', gatedDeltaRows(g, ctx), g.valueHeads * g.valueDim, H, ctx);
  }
  if (m.linear) {
    consumers++;
    flops += 2 * H * H;
  }
  return { rows, consumers, flops };
}

/** A recurrent mixer's rows: its projections and convolution, its scan, its output path and out_proj. */
function pushMixer(rows: Op[], name: string, r: MixerRows, inner: number, hidden: number, ctx: OpContext): void {
  rows.push(row(`${name} projections, convolution`, `${name} in_proj output, convolution`, r.projected, 0, r.projected));
  rows.push(row(`${name} scan`, `${name} scan (fp32)`, r.scan, r.scanFlops, r.scan));
  rows.push(matmul(`${name} out_proj`, `${name} output`, r.output, inner, hidden, ctx, 2 * inner * hidden));
}

/** The feed-forward a layer runs: the model's MoE, its dense MLP (at the layer's width), one linear layer, or none. */
function layerFeedForward(spec: ModelSpec, layer: LayerSpec): 'moe' | 'dense' | 'linear' | 'none' {
  if (layer.ffn !== undefined) return layer.ffn;
  return layer.moe && spec.moe ? 'moe' : 'dense';
}

/**
 * A layer built from its parts: the norms of the blocks it has (block.normsPerLayer is per attention + feed-forward
 * layer), the mixers' shared input and their rows, the feed-forward's input and rows.
 */
function composedLayerOps(spec: ModelSpec, ctx: OpContext, layer: LayerSpec, d0: LayerDims): Op[] {
  const d = dimsOf(spec, layer, d0);
  const m = mixersOf(layer);
  const ffn = layerFeedForward(spec, layer);
  const hasMixer = m.attention || m.mamba || m.gatedDelta || m.linear;
  const blocks = (hasMixer ? 1 : 0) + (ffn === 'none' ? 0 : 1);
  const trainable = ctx.loraRank === null;
  const n = (spec.block.normsPerLayer / 2) * blocks;
  const rows: Op[] = n > 0 ? [row('norms', 'norms', seqShard(n * normSaved(spec, d.hidden, ctx, trainable), ctx), n * 4 * d.hidden, n * (ctx.residualBytes + ctx.computeBytes) * d.hidden)] : [];
  const fp32Norm = normOutIsFp32(ctx);
  const mixers = mixerRows(spec, m, ctx);
  if (hasMixer) {
    const consumers = (m.attention ? d.attnInConsumers : 0) + mixers.consumers;
    const flops = (m.attention ? attentionProjectionFlops(spec, d) : 0) + mixers.flops;
    rows.push(matmul('mixer input projections', 'linear inputs', seqShard(linearInputs(d.hidden, consumers, fp32Norm, ctx), ctx), d.hidden, 0, ctx, flops));
  }
  if (m.attention) rows.push(...attentionRows(spec, d, ctx));
  rows.push(...mixers.rows);
  const moe = ffn === 'moe' ? spec.moe : null;
  if (ffn !== 'none') {
    const consumers = ffn === 'linear' ? 1 : moe ? 1 + (moe.sharedExperts > 0 ? d.mlpInConsumers : 0) : d.mlpInConsumers;
    const flops = ffn === 'linear' ? 2 * d.hidden * d.hidden : 0;
    rows.push(matmul('MLP input', 'linear inputs', seqShard(linearInputs(d.hidden, consumers, fp32Norm, ctx), ctx), d.hidden, 0, ctx, flops));
  }
  if (ffn === 'dense' || ffn === 'moe') rows.push(...feedForwardRows(spec, d, moe, ctx));
  return withResidualDropout(spec, d, ctx, rows, blocks);
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
