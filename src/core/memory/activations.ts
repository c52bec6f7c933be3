/**
 * Activation memory. Training: the bytes autograd saves, summed over the operator table (ops/layer.ts) of every
 * decoder layer and the head; with gradient checkpointing, each layer's input plus one layer rebuilt in backward.
 * Inference: the tensors alive at once inside the largest layer under no_grad.
 */
import type { ModelSpec, Term, VisionTowerSpec } from '../types.ts';
import { layerDims, type LayerDims } from './dims.ts';
import { makeTerm } from './term.ts';
import { gatedDeltaForwardPeakPerToken, mixerBackwardPerToken, mixerForwardPeakPerToken } from '../ops/mixers.ts';
import { decoderLayerOps, headOps, isStandardLayer, layerStructureKey, savedBytesPerToken, type Op, type OpContext } from '../ops/layer.ts';

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

/** Layers whose saved tensors are alike, the operators of one of them, and the name their formula inputs carry. */
export interface LayerGroupOps {
  name: string;
  layers: number;
  ops: Op[];
}

/** The saved-tensor inventory of a training step: the layers by group, and the head after them. */
export interface SavedInventory {
  groups: LayerGroupOps[];
  headOps: Op[];
}

/** The saved-tensor inventory; `withHead` = false on a pipeline stage without the final norm and lm_head. */
export function savedInventory(spec: ModelSpec, ctx: OpContext, withHead = true): SavedInventory {
  return { groups: layerGroupOps(spec, ctx), headOps: withHead ? headOps(spec, ctx) : [] };
}

/** Standard models: dense and MoE layers. Hybrid and NAS models: one group per distinct layer structure. */
function layerGroupOps(spec: ModelSpec, ctx: OpContext): LayerGroupOps[] {
  const d = layerDims(spec);
  let standard = true;
  for (const l of spec.layerKinds) {
    if (!isStandardLayer(l)) {
      standard = false;
      break;
    }
  }
  if (!standard) return structuralGroups(spec, ctx, d);
  const moeLayers = moeLayerCount(spec);
  const groups: LayerGroupOps[] = [{ name: 'dense', layers: spec.layers - moeLayers, ops: decoderLayerOps(spec, ctx, false, d) }];
  if (moeLayers > 0) groups.push({ name: 'moe', layers: moeLayers, ops: decoderLayerOps(spec, ctx, true, d) });
  return groups;
}

function structuralGroups(spec: ModelSpec, ctx: OpContext, d: LayerDims): LayerGroupOps[] {
  const groups: LayerGroupOps[] = [];
  const keys: string[] = [];
  for (const l of spec.layerKinds) {
    const key = layerStructureKey(l);
    const i = keys.indexOf(key);
    if (i >= 0) groups[i]!.layers++;
    else {
      keys.push(key);
      groups.push({ name: key, layers: 1, ops: decoderLayerOps(spec, ctx, l, d) });
    }
  }
  return groups;
}

/** Σ layers × bytes per token over the groups, and the formula's text and inputs. */
function groupSums(inv: SavedInventory): { perToken: number; formula: string; inputs: Record<string, number> } {
  let perToken = 0;
  let formula = '';
  const inputs: Record<string, number> = {};
  for (const g of inv.groups) {
    const bytes = savedBytesPerToken(g.ops);
    perToken += g.layers * bytes;
    formula += `${g.name}_layers * ${g.name}_layer_bytes + `;
    inputs[`${g.name}_layers`] = g.layers;
    inputs[`${g.name}_layer_bytes`] = bytes;
  }
  return { perToken, formula, inputs };
}

/** "dense layer: …; moe layer: …" notes of every group. */
function groupsNote(inv: SavedInventory): string {
  let note = '';
  for (const g of inv.groups) note += `${note ? '; ' : ''}${g.name} layer (${g.layers}): ${partsNote(g.ops)}`;
  return note;
}

/** Activations saved for backward without checkpointing: every layer's inventory and the head's. */
export function savedActivationsTerm(inv: SavedInventory, tokens: number): Term {
  const head = savedBytesPerToken(inv.headOps);
  const sums = groupSums(inv);
  return makeTerm(
    {
      id: 'activations',
      label: 'Activations (saved for backward)',
      formula: `tokens * (${sums.formula}final_bytes)`,
      inputs: { tokens, ...sums.inputs, final_bytes: head },
      source: ACT_SOURCE,
      note: `per token per layer: ${groupsNote(inv)}; after the layers: ${partsNote(inv.headOps)}`,
    },
    tokens * (sums.perToken + head),
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

/** The one layer whose saved tensors checkpointing rebuilds during backward (the largest layer group). */
export function recomputedLayerTerm(inv: SavedInventory, tokens: number): Term {
  let largest = 0;
  let ops: Op[] = [];
  for (const g of inv.groups) {
    const bytes = savedBytesPerToken(g.ops);
    if (bytes > largest || ops.length === 0) {
      largest = bytes;
      ops = g.ops;
    }
  }
  return makeTerm(
    {
      id: 'activations_recompute',
      label: 'Recomputed layer (backward)',
      formula: 'tokens * layer_bytes',
      inputs: { tokens, layer_bytes: largest },
      source: ACT_SOURCE,
      note: `one layer's saved tensors rebuilt during backward: ${partsNote(ops)}`,
    },
    tokens * largest,
  );
}

/**
 * Bytes a trained vision tower saves per patch per layer (`a` = compute-dtype bytes): the two norms (LayerNorm: its
 * input; RMSNorm: an fp32 copy and the normed tensor), the inputs of the attention and MLP projections, the attention
 * tensors (separate q, k, v: SDPA's q, k, v and output; one rotated qkv: its output, the rotated q and k, SDPA's
 * output and the copy o_proj reads) and the MLP's intermediates (fused activation 2, quick_gelu 3, gated 4 × a × I).
 * Measured per patch per layer: SigLIP (Gemma 3) 36,006 B (this: 35,648), CLIP (LLaVA-1.5) 41,262 (40,960),
 * Qwen2.5-VL 66,406 (66,320); test/fixtures/measured/hybrid-saved-h200.jsonl.
 */
export function visionSavedPerPatch(v: VisionTowerSpec, a: number): number {
  const H = v.hidden;
  const norms = v.norm === 'layer' ? 2 * a * H : 2 * (4 * H + a * H);
  const attention = v.attention === 'separate' ? 4 * a * H : 7 * a * H;
  const mlp = (v.mlp === 'gated' ? 4 : v.mlp === 'quick_gelu' ? 3 : 2) * a * v.intermediate;
  return norms + 2 * a * H + attention + mlp;
}

/**
 * What a trained vision tower saves for backward: every layer's tensors for each patch of each image, or with
 * gradient checkpointing each layer's input and one layer rebuilt in backward.
 */
export function visionActivationsTerm(v: VisionTowerSpec, images: number, a: number, checkpointing: boolean): Term {
  const patches = images * v.patchesPerImage;
  const perPatch = visionSavedPerPatch(v, a);
  const perLayer = checkpointing ? a * v.hidden : perPatch;
  return makeTerm(
    {
      id: 'activations',
      label: 'Activations (vision tower)',
      formula: checkpointing ? 'patches * (layers * hidden * bytes + layer_bytes)' : 'patches * layers * layer_bytes',
      inputs: checkpointing ? { patches, layers: v.layers, hidden: v.hidden, bytes: a, layer_bytes: perPatch } : { patches, layers: v.layers, layer_bytes: perPatch },
      source: 'saved-tensor inventory of a ViT layer, measured on SigLIP, CLIP and Qwen2.5-VL towers (test/fixtures/measured/hybrid-saved-h200.jsonl)',
      note: `${images} image(s) × ${v.patchesPerImage} patches through ${v.layers} layers; ${perPatch} B per patch per layer${checkpointing ? ' (checkpointed: each layer input, one layer rebuilt)' : ''}`,
    },
    checkpointing ? patches * (v.layers * perLayer + perPatch) : patches * v.layers * perPatch,
  );
}

/**
 * The temporaries of one Mamba layer's backward (transformers' PyTorch scan) on top of the saved tensors; null for
 * models without Mamba layers.
 */
export function mixerTemporariesTerm(spec: ModelSpec, tokens: number): Term | null {
  const perToken = mixerBackwardPerToken(spec.mambaMixer);
  if (perToken === 0) return null;
  const m = spec.mambaMixer!;
  return makeTerm(
    {
      id: 'mixer_temporaries',
      label: 'Mamba scan temporaries (backward)',
      formula: 'tokens * bytes_per_token',
      inputs: { tokens, bytes_per_token: perToken },
      source: 'transformers PyTorch Mamba path, measured per layer on an H200 (test/fixtures/measured/hybrid-layers-h200.jsonl)',
      note:
        m.version === 1
          ? `Mamba-1 stepwise scan backward: 10 × inner (${m.inner}) × state (${m.state}) bytes per token (fitted on Jamba-1.5-Mini)`
          : `Mamba-2 chunked scan backward: two fp32 chunk (${m.chunk}) × heads (${m.heads}) × state (${m.state}) gradients per token`,
    },
    tokens * perToken,
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

/**
 * The largest per-token inference peak over the model's layer kinds (dense and MoE; with `torchMixers`, the Mamba
 * and Gated DeltaNet layers as transformers' PyTorch paths run them).
 */
export function inferencePeakPerToken(spec: ModelSpec, computeBytes: number, residualBytes: number, scoresPerToken = 0, torchMixers = false): number {
  const d = layerDims(spec);
  const moe = moeLayerCount(spec);
  return Math.max(
    moe < spec.layers ? inferenceLayerPeak(spec, computeBytes, residualBytes, false, d, scoresPerToken) : 0,
    moe > 0 ? inferenceLayerPeak(spec, computeBytes, residualBytes, true, d, scoresPerToken) : 0,
    torchMixers ? mixerForwardPeakPerToken(spec.mambaMixer, computeBytes) : 0,
    torchMixers && spec.linearMixer ? gatedDeltaForwardPeakPerToken(spec.linearMixer, computeBytes, spec.hidden) : 0,
  );
}
