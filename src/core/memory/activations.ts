/**
 * Activation memory. Training: the bytes autograd saves, summed over the operator table (ops/layer.ts) of every
 * decoder layer and the head; with gradient checkpointing, each layer's input plus one layer rebuilt in backward.
 * Inference: the tensors alive at once inside the largest layer under no_grad.
 */
import type { ModelSpec, Term } from '../types.ts';
import { layerDims, type LayerDims } from './dims.ts';
import { makeTerm } from './term.ts';
import { decoderLayerOps, headOps, savedBytesPerToken, type Op, type OpContext } from '../ops/layer.ts';

const ACT_SOURCE = 'saved-tensor inventory of PyTorch autograd per layer (after Korthikanti et al., arXiv 2205.05198 §4); calibrated on test/fixtures/measured';

/** "norms 12288 B, attention q,k,v,out 10240 B, …" (bytes per token) for a term's note. */
function partsNote(ops: readonly Op[]): string {
  // Parallel arrays rather than savedByPart's record: this runs up to three times per training estimate.
  const parts: string[] = [];
  const bytes: number[] = [];
  for (const o of ops) {
    if (o.savedPerToken <= 0) continue;
    const i = parts.indexOf(o.part);
    if (i < 0) {
      parts.push(o.part);
      bytes.push(o.savedPerToken);
    } else bytes[i] = (bytes[i] ?? 0) + o.savedPerToken;
  }
  let note = '';
  for (let i = 0; i < parts.length; i++) note += `${i ? ', ' : ''}${parts[i]} ${bytes[i]} B`;
  return note;
}

export function moeLayerCount(spec: ModelSpec): number {
  let n = 0;
  for (const l of spec.layerKinds) if (l.moe) n++;
  return n;
}

/** The saved-tensor inventory of a training step: dense and MoE layers, and the head after them. */
export interface SavedInventory {
  denseLayers: number;
  moeLayers: number;
  denseOps: Op[];
  moeOps: Op[];
  headOps: Op[];
}

/** The saved-tensor inventory; `withHead` = false on a pipeline stage without the final norm and lm_head. */
export function savedInventory(spec: ModelSpec, ctx: OpContext, withHead = true): SavedInventory {
  const d = layerDims(spec);
  const moeLayers = moeLayerCount(spec);
  return {
    denseLayers: spec.layers - moeLayers,
    moeLayers,
    denseOps: decoderLayerOps(spec, ctx, false, d),
    moeOps: moeLayers > 0 ? decoderLayerOps(spec, ctx, true, d) : [],
    headOps: withHead ? headOps(spec, ctx) : [],
  };
}

/** Activations saved for backward without checkpointing: every layer's inventory and the head's. */
export function savedActivationsTerm(inv: SavedInventory, tokens: number): Term {
  const dense = savedBytesPerToken(inv.denseOps);
  const moe = savedBytesPerToken(inv.moeOps);
  const head = savedBytesPerToken(inv.headOps);
  return makeTerm(
    {
      id: 'activations',
      label: 'Activations (saved for backward)',
      formula: 'tokens * (dense_layers * dense_layer_bytes + moe_layers * moe_layer_bytes + final_bytes)',
      inputs: { tokens, dense_layers: inv.denseLayers, dense_layer_bytes: dense, moe_layers: inv.moeLayers, moe_layer_bytes: moe, final_bytes: head },
      source: ACT_SOURCE,
      note: `per token per layer: ${partsNote(inv.denseOps)}${inv.moeLayers ? `; MoE layer: ${partsNote(inv.moeOps)}` : ''}; after the layers: ${partsNote(inv.headOps)}`,
    },
    tokens * (inv.denseLayers * dense + inv.moeLayers * moe + head),
  );
}

/** Gradient checkpointing: each layer's input (Chen et al., arXiv 1604.06174) and the head's saved tensors. */
export function checkpointedActivationsTerm(spec: ModelSpec, inv: SavedInventory, tokens: number, residualBytes: number): Term {
  const head = savedBytesPerToken(inv.headOps);
  return makeTerm(
    {
      id: 'activations',
      label: 'Activations (checkpoints)',
      formula: 'tokens * (layers * hidden * residual_bytes + final_bytes)',
      inputs: { tokens, layers: spec.layers, hidden: spec.hidden, residual_bytes: residualBytes, final_bytes: head },
      source: 'gradient checkpointing keeps each layer input (Chen et al., arXiv 1604.06174); ' + ACT_SOURCE,
      note: `one ${residualBytes}-byte hidden state per token per layer; after the layers: ${partsNote(inv.headOps)}`,
    },
    tokens * (spec.layers * spec.hidden * residualBytes + head),
  );
}

/** The one layer whose saved tensors checkpointing rebuilds during backward (the larger of dense and MoE). */
export function recomputedLayerTerm(inv: SavedInventory, tokens: number): Term {
  const dense = savedBytesPerToken(inv.denseOps);
  const moe = savedBytesPerToken(inv.moeOps);
  const largest = Math.max(dense, moe);
  return makeTerm(
    {
      id: 'activations_recompute',
      label: 'Recomputed layer (backward)',
      formula: 'tokens * layer_bytes',
      inputs: { tokens, layer_bytes: largest },
      source: ACT_SOURCE,
      note: `one layer's saved tensors rebuilt during backward: ${partsNote(inv.moeLayers && moe > dense ? inv.moeOps : inv.denseOps)}`,
    },
    tokens * largest,
  );
}

/** Peak bytes per token of tensors alive at once inside one layer during a no_grad forward (prefill). */
export function inferenceLayerPeak(
  spec: ModelSpec,
  computeBytes: number,
  residualBytes: number,
  moeLayer: boolean,
  d: LayerDims = layerDims(spec),
  /** Bytes per token for materialized attention scores (math SDPA): bytes per score × heads × keys. */
  scoresPerToken = 0,
): number {
  const a = computeBytes;
  const r = residualBytes;
  const b = spec.block;
  // Layer input (held by the caller), inputs_embeds (held by the model's forward), residual after attention, normed input.
  const base = 3 * r * d.hidden + a * d.hidden + (b.parallelResidual ? a * d.hidden : 0);
  let mlp: number;
  const moe = moeLayer && spec.moe ? spec.moe : null;
  if (moe) {
    mlp = a * d.hidden + (a + 4) * moe.experts + moe.topK * a * (2 * d.hidden + 3 * moe.expertIntermediate);
    if (moe.sharedExperts > 0) mlp += 3 * a * moe.sharedIntermediate * moe.sharedExperts;
  } else if (b.mlp === 'gated') mlp = (b.fusedGateUp ? 4 : 3) * a * d.mlpWidth;
  else mlp = (b.activation === 'gelu_new' ? 4 : 2) * a * d.mlpWidth;
  const attn = 2 * r * d.hidden + a * d.hidden + a * (2 * d.q + 2 * d.k + d.v + d.o) + 2 * a * d.mlaLatent + scoresPerToken;
  return Math.max(base + mlp, attn);
}

/** The largest per-token inference peak over the model's layer kinds (dense and MoE). */
export function inferencePeakPerToken(spec: ModelSpec, computeBytes: number, residualBytes: number, scoresPerToken = 0): number {
  const d = layerDims(spec);
  const moe = moeLayerCount(spec);
  return Math.max(
    moe < spec.layers ? inferenceLayerPeak(spec, computeBytes, residualBytes, false, d, scoresPerToken) : 0,
    moe > 0 ? inferenceLayerPeak(spec, computeBytes, residualBytes, true, d, scoresPerToken) : 0,
  );
}
