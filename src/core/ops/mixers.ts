/**
 * Operator rows of the recurrent mixers: Mamba-1 (Jamba), Mamba-2 (Nemotron-H, Falcon-H1) and Gated DeltaNet
 * (Qwen3-Next linear attention). Saved bytes per token are transformers' PyTorch paths, the ones that run without the
 * mamba_ssm / causal-conv1d / flash-linear-attention kernels, counted tensor by tensor with a saved-tensor hook on an
 * H200 (scripts/calibrate/measure_hybrid.py, test/fixtures/measured/hybrid-saved-h200.jsonl): those paths upcast
 * the scan to fp32 and keep every chunk's intermediates. The fused kernels save less; the estimate says so.
 *
 * The layer's norm and the mixer's input (in_proj's saved input) are counted by the layer's own rows; these rows are
 * what the mixer keeps between its in_proj and its out_proj (out_proj's input included).
 */
import type { LinearMixerSpec, MambaMixerSpec } from '../types.ts';

/** What a mixer row needs of the operator context. */
export interface MixerContext {
  computeBytes: number;
}

/** The three rows a mixer adds: projections and convolution, the scan, the output path. */
export interface MixerRows {
  /** in_proj output, convolution output and the small per-head tensors in the compute dtype. */
  projected: number;
  /** The scan's saved intermediates (fp32 in transformers' PyTorch paths). */
  scan: number;
  /** The gated output (norm or gate) and out_proj's input. */
  output: number;
  /** Forward FLOPs of the scan per token (the projections are matmul rows of their own). */
  scanFlops: number;
}

/**
 * Mamba-2's chunked state-space-duality scan (transformers' torch_forward), per token, with p = inner / heads:
 * fp32 copies of x, x·dt, the chunked x and the off-diagonal output (4 × inner); dt, A·dt, cumulative A and the state
 * decay (4 × heads); the segment-sum decay L, C·Bᵀ and their product (3 × heads × chunk); C and B repeated to the heads
 * and B times the decay (3 × heads × state); two copies of the chunk states (2 × heads × p × state / chunk).
 */
export function mamba2Rows(m: MambaMixerSpec, ctx: MixerContext): MixerRows {
  const a = ctx.computeBytes;
  const h = m.heads;
  const p = m.inner / h;
  const scan = 4 * (4 * m.inner + 4 * h + 3 * h * m.chunk + 3 * h * m.state) + Math.round((8 * h * p * m.state) / m.chunk);
  // Gated RMSNorm in fp32: y, y + D·x and the gate product, the grouped input, its rstd and the normed output;
  // without it: y in the compute dtype and fp32, gated.
  const output = m.gatedNorm ? 20 * m.inner + 4 * m.groups + a * m.inner : 2 * a * m.inner + 4 * m.inner;
  return {
    projected: a * m.proj + a * m.convDim + 2 * a * h,
    scan,
    output,
    scanFlops: 2 * h * (m.chunk * m.state + m.chunk * p + 2 * p * m.state),
  };
}

/**
 * Mamba-1's selective scan as transformers' slow_forward runs it (a loop over the sequence), per token, with E = inner,
 * n = state, R = dt_rank: in_proj's output (x and z), the convolution output and x_proj's input; the dt, B and C
 * RMSNorms (fp32 input, rstd, normed) and dt_proj's input; dt twice in the compute dtype and once in fp32; exp(A·dt)
 * and dt·B·x (fp32, E × n each); the recurrent state of every step (compute dtype and fp32, E × n); the output path.
 */
export function mamba1Rows(m: MambaMixerSpec, ctx: MixerContext): MixerRows {
  const a = ctx.computeBytes;
  const E = m.inner;
  const n = m.state;
  const R = m.dtRank;
  const norms = 6 * R + 4 + 2 * (6 * n + 4);
  return {
    projected: 2 * a * E + a * E + a * E + norms + a * R,
    scan: 2 * a * E + 4 * E + 8 * E * n + 4 * n + (a + 4) * E * n,
    output: (4 + 2 * a) * E,
    scanFlops: 9 * E * n,
  };
}

/**
 * Gated DeltaNet's chunked delta rule (transformers' torch_chunk_gated_delta_rule, chunks of 64), per token, with
 * hv value heads (q and k repeated to them), dk, dv and c = chunk: the convolution's input and output and b (compute
 * dtype); g and beta (fp32); in fp32: q, k and v with their l2-norm rstds; the chunk's decay and attention matrices
 * (5 × hv × c); k·beta, v·beta, their chunked and corrected forms (7 × hv × dk, 4 × hv × dv in all); the chunk states
 * (hv × dk × dv / c); then the gated RMSNorm (fp32 core output, z and the gate product, rstd; the normed and gated
 * outputs in the compute dtype) and out_proj's input.
 */
export function gatedDeltaRows(g: LinearMixerSpec, ctx: MixerContext): MixerRows {
  const a = ctx.computeBytes;
  const hv = g.valueHeads;
  const c = g.chunk;
  const scan = 4 * (7 * hv * g.keyDim + 4 * hv * g.valueDim + 5 * hv * c + 6 * hv) + Math.round((4 * hv * g.keyDim * g.valueDim) / c);
  return {
    projected: 2 * a * g.convDim + a * hv + 8 * hv,
    scan,
    output: 12 * hv * g.valueDim + 4 * hv + 3 * a * hv * g.valueDim,
    scanFlops: 2 * hv * (c * g.keyDim + c * g.valueDim + 2 * g.keyDim * g.valueDim),
  };
}

/**
 * Bytes per token of the temporaries one recurrent layer's backward adds on top of what is saved, in transformers'
 * PyTorch paths (the largest over the model's mixers; measured per layer between gradient hooks,
 * test/fixtures/measured/hybrid-layers-h200.jsonl). Mamba-2: the gradients of the fp32 C·Bᵀ broadcast product,
 * two chunk × heads × state tensors (8 · c · h · n: 8,388,608 B/token for Nemotron-3-Nano, measured 8,347,839;
 * Falcon-H1 3,145,728, measured 3,140,256). Mamba-1's stepwise scan: 10 · E · n, fitted on Jamba-1.5-Mini
 * (2.4–2.6 × the 4 · E · n of one exp(A·dt) tensor). Gated DeltaNet adds none beyond its saved tensors.
 */
export function mixerBackwardPerToken(m: MambaMixerSpec | undefined): number {
  if (!m) return 0;
  return m.version === 1 ? 10 * m.inner * m.state : 8 * m.chunk * m.heads * m.state;
}

/**
 * Peak bytes per token inside one Mamba layer's no-grad forward in transformers' PyTorch path. Mamba-2: the fp32
 * C·Bᵀ broadcast product (4 · c · h · n) with the chunk tensors around it (B, C repeated and B·decay, L, in_proj's
 * output, fp32 copies of x); measured 4,397,080 B/token for Nemotron-3-Nano (this gives 4,395,136) and 1,646,884 for
 * Falcon-H1 (1,628,464). Mamba-1: exp(A·dt), dt·B·x and the running state products (12 · E · n) and the E-wide
 * tensors (24 · E); measured 1,761,920 for Jamba-1.5-Mini (1,769,472).
 */
export function mixerForwardPeakPerToken(m: MambaMixerSpec | undefined, computeBytes: number): number {
  if (!m) return 0;
  if (m.version === 1) return 12 * m.inner * m.state + 24 * m.inner;
  return 4 * m.chunk * m.heads * m.state + 12 * m.heads * m.state + 4 * m.heads * m.chunk + computeBytes * m.proj + 12 * m.inner;
}

/**
 * Peak bytes per token of a Gated DeltaNet layer's no-grad forward in transformers' PyTorch path (chunks of 64),
 * counted block by block at the peak of a Qwen3-Next prefill (scripts/calibrate/probe_gdn.py,
 * test/fixtures/measured/gdn-probe-h200.json: 269,435 B/token at 4,096 tokens; this gives 266,240): in_proj_qkvz's
 * output (a · (2 · keys + 2 · values)), the convolution's output (a · conv channels), ten fp32 tensors of
 * value heads × head dim (q, k and v padded to the chunk, repeated to the value heads, β-scaled, decayed and the
 * running output), three chunk × chunk fp32 matrices per head, the core output, z and the gate in the compute dtype,
 * and the embeddings, the residual and the normed input (3 · a · hidden).
 */
export function gatedDeltaForwardPeakPerToken(g: LinearMixerSpec, computeBytes: number, hidden: number): number {
  const a = computeBytes;
  const keys = g.keyHeads * g.keyDim;
  const values = g.valueHeads * g.valueDim;
  return a * (2 * keys + 2 * values) + a * g.convDim + 20 * g.valueHeads * (g.keyDim + g.valueDim) + 3 * a * values + 12 * g.valueHeads * g.chunk + 3 * a * hidden;
}
