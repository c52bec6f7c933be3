/**
 * Base weights as bitsandbytes stores them (functional.py quantize_4bit / Int8Params; formulas.md §4.1):
 * - NF4: two 4-bit codes per byte (ceil(numel / 2) bytes per tensor); one absmax per block of 64 elements, fp32 (4 B), or with double quantization an
 *   8-bit code (1 B) whose blocks of 256 carry one fp32 absmax each: 0.5 + 1/64 + 4/16384 B per parameter;
 * - LLM.int8: one byte per element and one fp32 scale (SCB) per output row.
 * Computed per tensor (blocks never span tensors). Only linear layers are quantized; embeddings, lm_head and norms
 * stay in `otherBytes` (their 16-bit dtype, or fp32 after peft's prepare_model_for_kbit_training).
 * Measured: llama-3.2-1b NF4 + DQ 1,027,343,360 B, NF4 1,072,579,584 B, int8 1,499,766,784 B
 * (test/fixtures/measured/methods-h200.jsonl).
 */
import type { ModelSpec, TensorGroup, Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { layerDims } from './dims.ts';

export const NF4_BLOCK = 64;
export const NF4_DQ_BLOCK = 256;

export function quantizedLinearGroups(spec: ModelSpec): (TensorGroup & { shape: [number, number] })[] {
  return spec.tensors.filter((t): t is TensorGroup & { shape: [number, number] } => (t.role === 'linear' || t.role === 'router') && t.shape !== undefined);
}

export interface QuantizedWeights {
  linear: number;
  /** NF4 codes in bytes: two per byte, each tensor rounded up to a whole byte. */
  packed: number;
  blocks: number;
  dqBlocks: number;
  rows: number;
  other: number;
}

export function quantizedCounts(spec: ModelSpec): QuantizedWeights {
  let linear = 0;
  let packed = 0;
  let blocks = 0;
  let dqBlocks = 0;
  let rows = 0;
  for (const t of quantizedLinearGroups(spec)) {
    const b = Math.ceil(t.numel / NF4_BLOCK);
    linear += t.numel * t.count;
    packed += Math.ceil(t.numel / 2) * t.count;
    blocks += b * t.count;
    dqBlocks += Math.ceil(b / NF4_DQ_BLOCK) * t.count;
    rows += t.shape[0] * t.count;
  }
  return { linear, packed, blocks, dqBlocks, rows, other: spec.params.total - linear };
}

export function bnbWeightsTerm(spec: ModelSpec, kind: 'nf4' | 'int8', doubleQuant: boolean, otherBytes: number, label: string): Term {
  const c = quantizedCounts(spec);
  if (kind === 'int8') {
    return makeTerm(
      {
        id: 'weights',
        label,
        formula: 'linear_params + rows * 4 + other_params * other_bytes',
        inputs: { linear_params: c.linear, rows: c.rows, other_params: c.other, other_bytes: otherBytes },
        source: 'LLM.int8() (arXiv 2208.07339); bitsandbytes Int8Params: int8 codes + fp32 SCB per output row',
        note: `int8 linear weights + one fp32 scale per row; embeddings, norms and lm_head in ${otherBytes * 8}-bit`,
      },
      c.linear + c.rows * 4 + c.other * otherBytes,
    );
  }
  const absmaxBytes = doubleQuant ? 1 : 4;
  const dq = doubleQuant ? c.dqBlocks : 0;
  return makeTerm(
    {
      id: 'weights',
      label,
      formula: 'packed_code_bytes + absmax_blocks * absmax_bytes + dq_blocks * 4 + other_params * other_bytes',
      inputs: { packed_code_bytes: c.packed, absmax_blocks: c.blocks, absmax_bytes: absmaxBytes, dq_blocks: dq, other_params: c.other, other_bytes: otherBytes },
      source: 'QLoRA §2–3 (arXiv 2305.14314); bitsandbytes quantize_4bit (blocksize 64, nested 256)',
      note: `NF4 linear weights (${doubleQuant ? '0.5 + 1/64 + 4/16384 B/param, double quantization' : '0.5 + 4/64 B/param'}); embeddings, norms and lm_head in ${otherBytes * 8}-bit`,
    },
    c.packed + c.blocks * absmaxBytes + dq * 4 + c.other * otherBytes,
  );
}

/**
 * LLM.int8 (bitsandbytes MatMul8bitLt) keeps each linear layer's input in `ctx.tensors`, not through
 * save_for_backward, so gradient checkpointing does not free it: per layer the attention input, the attention
 * output, the MLP input and the MLP's inner activation stay alive through the forward.
 * Measured: llama-3.2-1b LoRA on an int8 base with checkpointing, +1.83 GiB = 16 layers × 2,048 tokens × 57,344 B.
 */
export function int8KeptInputsTerm(spec: ModelSpec, tokens: number, bytes: number): Term {
  const d = layerDims(spec);
  const perLayer = (3 * d.hidden + d.mlpWidth) * bytes;
  return makeTerm(
    {
      id: 'activations',
      label: 'LLM.int8 linear inputs (kept outside checkpointing)',
      formula: 'tokens * layers * (3 * hidden + mlp_width) * act_bytes',
      inputs: { tokens, layers: spec.layers, hidden: d.hidden, mlp_width: d.mlpWidth, act_bytes: bytes },
      source: 'bitsandbytes autograd MatMul8bitLt: ctx.tensors = (CAt, subA, A); measured in test/fixtures/measured/methods-h200.jsonl',
      note: 'attention input and output, MLP input and inner activation of every layer',
    },
    tokens * spec.layers * perLayer,
  );
}

/** LLM.int8 inference: the int32 accumulator of the widest matmul and the int8 codes of its input. */
export function int8MatmulBuffersTerm(spec: ModelSpec, tokens: number): Term {
  let maxOut = 0;
  let maxIn = 0;
  for (const t of quantizedLinearGroups(spec)) {
    if (t.shape[0] > maxOut) maxOut = t.shape[0];
    if (t.shape[1] > maxIn) maxIn = t.shape[1];
  }
  return makeTerm(
    {
      id: 'activations',
      label: 'LLM.int8 matmul buffers',
      formula: 'tokens * (max_out * 4 + max_in)',
      inputs: { tokens, max_out: maxOut, max_in: maxIn },
      source: 'bitsandbytes int8_vectorwise_quant + int8_mixed_scaled_mm (int32 accumulator); measured in test/fixtures/measured/methods-h200.jsonl',
      note: 'int32 output of the widest matmul + int8 codes of its input',
    },
    tokens * (maxOut * 4 + maxIn),
  );
}
