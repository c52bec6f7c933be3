/**
 * FLOPs and bytes of every operator of one phase (prefill, one decode step, a training forward/backward/recompute),
 * read from the operator table (ops/layer.ts): `flopsPerToken` and `bytesPerToken` of its rows, plus what the
 * roofline needs beyond activations: each row's weights (read once per pass), the KV cache the attention row reads
 * (growing with the context; FlashAttention-style: no score matrix in memory, K/V re-read once per 128-query tile in
 * prefill), the routed experts a batch actually touches, and the fp32 cross-entropy over the logits.
 */
import { isQuantizedKv, KV_QUANT_BITS } from '../memory/kv-quant.ts';
import type { LayerSpec, ModelSpec } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { decoderLayerOps, headOps, isStandardLayer, layerStructureKey, type Op, type OpContext } from '../ops/layer.ts';
import { KV_SPECS } from '../kv/specs.ts';
import { FLOAT_BYTES, STORAGE, precisionPlan } from '../dtypes.ts';
import { servingWeightsDtype } from '../memory/weights.ts';

/** One operator's work in one phase, summed over the layers that run it. */
export interface OpCost {
  phase: string;
  name: string;
  flops: number;
  bytes: number;
  /** FLOPs run in fp32 without tensor cores (PEFT's fp32 LoRA matmuls): timed at the GPU's fp32 rate. */
  fp32?: boolean;
}

/** What one pass over the model processes. */
export interface PassShape {
  phase: string;
  /** Sequences in the batch. */
  batch: number;
  /** Query tokens per sequence (prefill/training: the sequence; decode: 1). */
  queries: number;
  /** Keys each query sees before causal masking (decode: the context; prefill: the sequence). */
  keys: number;
  causal: boolean;
  /** Tokens whose logits are computed. */
  headTokens: number;
  /** The fp32 cross-entropy over the logits (training, scoring). */
  loss: boolean;
  /** Grouped K/V repeated to every query head before SDPA (transformers' static-cache decode; runtime.ts). */
  repeatsKv?: boolean;
}

/** Bytes per element of the model's weights, linear ones and the rest, and of the KV cache and activations. */
export interface ByteSizes {
  linearWeight: number;
  otherWeight: number;
  kv: number;
  compute: number;
  residual: number;
  autocast: boolean;
}

/** Query tiles FlashAttention re-reads K and V for (rows per tile). */
export const FLASH_QUERY_TILE = 128;

export function byteSizes(spec: ModelSpec, sc: Scenario): ByteSizes {
  const p = precisionPlan(sc.precision);
  const compute = FLOAT_BYTES[p.compute];
  const quantizedBase = sc.qlora ? 'nf4' : sc.loraRank !== null && sc.weightsDtype === 'int8' ? 'int8' : null;
  const wd = sc.mode === 'training' ? (quantizedBase ?? (sc.loraRank !== null ? p.compute : p.param)) : servingWeightsDtype(spec, sc, p.param, []);
  const f = STORAGE[wd];
  return {
    linearWeight: f.blockBytes / f.block,
    otherWeight: FLOAT_BYTES[p.param],
    kv: sc.kvDtype === 'auto' ? compute : isQuantizedKv(sc.kvDtype) ? KV_QUANT_BITS[sc.kvDtype] / 8 + (2 * compute) / sc.kvGroupSize : FLOAT_BYTES[sc.kvDtype],
    compute,
    residual: p.autocast ? 4 : compute,
    autocast: p.autocast,
  };
}

/** Keys one query attends to on average: the causal triangle's mean, capped at the window where the kernel skips the rest. */
export function effectiveKeys(keys: number, causal: boolean, window: number): number {
  if (!causal) return window > 0 ? Math.min(keys, window) : keys;
  if (window <= 0 || keys <= window) return (keys + 1) / 2;
  return (window * (window + 1)) / 2 / keys + ((keys - window) * window) / keys;
}

/** Layers that cost alike: attention kind, window (where the runtime skips beyond it) and MoE. */
interface LayerGroup {
  layer: LayerSpec;
  window: number;
  count: number;
}

function layerGroups(spec: ModelSpec, rt: RuntimeProfile): LayerGroup[] {
  const groups = new Map<string, LayerGroup>();
  for (const layer of spec.layerKinds) {
    const window = KV_SPECS[layer.attention].capsAtWindow(layer, rt) ? (layer.window ?? 0) : 0;
    const key = isStandardLayer(layer) ? `${layer.attention}:${window}:${layer.moe}` : `${layerStructureKey(layer)}:${window}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { layer, window, count: 1 });
  }
  return [...groups.values()];
}

function opContext(sz: ByteSizes, keys: number, loraRank: number | null): OpContext {
  return { contextTokens: keys, mathSavedPerScore: 0, computeBytes: sz.compute, residualBytes: sz.residual, autocast: sz.autocast, loraRank, keepsCache: false };
}

/** Weight bytes one pass reads for a row: routed experts count only those the pass's tokens touch. */
function weightBytes(op: Op, tokens: number, sz: ByteSizes): number {
  const elements = op.weightElements ?? 0;
  if (elements === 0) return 0;
  const perElement = op.name === 'lm_head' || op.name === 'norms' || op.name === 'final norm' ? sz.otherWeight : sz.linearWeight;
  const castBytes = sz.autocast && op.name !== 'norms' && op.name !== 'final norm' ? FLOAT_BYTES.bf16 + sz.compute : 0;
  let share = 1;
  if (op.routed) share = 1 - Math.pow(1 - op.routed.topK / op.routed.experts, tokens);
  return elements * share * (perElement + castBytes);
}

/** Copies of the grouped K/V that transformers' repeat_kv writes (g = heads / kv_heads), or 0 where it does not run. */
export function repeatedKvCopies(spec: ModelSpec, layer: LayerSpec, shape: PassShape): number {
  const grouped = layer.attention === 'full' || layer.attention === 'sliding' || layer.attention === 'chunked';
  const kv = layer.kvHeads ?? spec.kvHeads;
  const g = kv > 0 ? spec.heads / kv : 1;
  return shape.repeatsKv && grouped && g > 1 ? g : 0;
}

/**
 * Reads of the cached context per read of it: 1, or with the K/V repeated to the query heads the cache read once by
 * the copy, g copies written and g read by SDPA: 1 + 2g (the copy is its own row, REPEAT_KV_OP).
 */
export function kvReadFactor(spec: ModelSpec, layer: LayerSpec, shape: PassShape): number {
  const g = repeatedKvCopies(spec, layer, shape);
  return g > 0 ? 1 + 2 * g : 1;
}

/** The row of the repeat_kv copy (static-cache decode): its kernels differ by implementation (calibration.ts). */
export const REPEAT_KV_OP = 'repeat_kv copy';

const kvPerToken = (spec: ModelSpec, layer: LayerSpec, sz: ByteSizes): number => KV_SPECS[layer.attention].elementsPerToken(spec, layer) * sz.kv;

/** KV bytes the attention row moves in one layer: the new tokens written, the context (or its g copies) read per query tile in prefill. */
function kvBytes(spec: ModelSpec, layer: LayerSpec, shape: PassShape, keys: number, sz: ByteSizes): number {
  const perToken = kvPerToken(spec, layer, sz);
  const written = shape.batch * shape.queries * perToken;
  const tiles = Math.ceil(shape.queries / FLASH_QUERY_TILE);
  return written + shape.batch * tiles * keys * perToken * Math.max(repeatedKvCopies(spec, layer, shape), 1);
}

/** The repeat_kv copy of one layer: the cache read once, g copies written. */
function repeatKvBytes(spec: ModelSpec, layer: LayerSpec, shape: PassShape, keys: number, sz: ByteSizes): number {
  const g = repeatedKvCopies(spec, layer, shape);
  return g > 0 ? shape.batch * keys * kvPerToken(spec, layer, sz) * (1 + g) : 0;
}

function groupCosts(spec: ModelSpec, g: LayerGroup, shape: PassShape, sz: ByteSizes, loraRank: number | null): OpCost[] {
  const keys = effectiveKeys(shape.keys, shape.causal, g.window);
  const tokens = shape.batch * shape.queries;
  return decoderLayerOps(spec, opContext(sz, keys, loraRank), g.layer).flatMap((op) => {
    const row: OpCost = {
      phase: shape.phase,
      name: op.name,
      flops: op.flopsPerToken * tokens * g.count,
      bytes: (op.bytesPerToken * tokens + weightBytes(op, tokens, sz) + (op.attendsContext ? kvBytes(spec, g.layer, shape, keys, sz) : 0)) * g.count,
    };
    const copy = op.attendsContext ? repeatKvBytes(spec, g.layer, shape, keys, sz) * g.count : 0;
    return copy > 0 ? [{ phase: shape.phase, name: REPEAT_KV_OP, flops: 0, bytes: copy }, row] : [row];
  });
}

function headCosts(spec: ModelSpec, shape: PassShape, sz: ByteSizes, loraRank: number | null): OpCost[] {
  const t = shape.headTokens;
  const rows: OpCost[] = headOps(spec, opContext(sz, 0, loraRank))
    .filter((op) => op.flopsPerToken > 0)
    .map((op) => ({ phase: shape.phase, name: op.name, flops: op.flopsPerToken * t, bytes: op.bytesPerToken * t + weightBytes(op, t, sz) }));
  // Cross-entropy: logits written in the compute dtype, upcast to fp32, log-softmax written and read back.
  if (shape.loss) rows.push({ phase: shape.phase, name: 'cross-entropy (fp32 logits)', flops: 5 * spec.vocab * t, bytes: (sz.compute + 3 * 4) * spec.vocab * t });
  return rows;
}

/** Every operator of one pass, rows of the same name summed over layer groups, in table order. */
export function passCosts(spec: ModelSpec, rt: RuntimeProfile, shape: PassShape, sz: ByteSizes, loraRank: number | null, withHead = true): OpCost[] {
  const merged = new Map<string, OpCost>();
  const rows = layerGroups(spec, rt).flatMap((g) => groupCosts(spec, g, shape, sz, loraRank));
  if (withHead) rows.push(...headCosts(spec, shape, sz, loraRank));
  for (const r of rows) {
    if (r.flops === 0 && r.bytes === 0) continue;
    const m = merged.get(r.name);
    if (m) {
      m.flops += r.flops;
      m.bytes += r.bytes;
    } else merged.set(r.name, { ...r });
  }
  return [...merged.values()];
}
