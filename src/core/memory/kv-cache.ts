/**
 * KV cache: the layers grouped by attention kind (kv/specs.ts), each group's elements per token times the tokens it
 * keeps, in the cache dtype, for every sequence of the batch.
 */
import type { ModelSpec, Term } from '../types.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { makeTerm } from './term.ts';
import { KV_SPECS, kvLayerGroups, type KvLayerGroup } from '../kv/specs.ts';

/** Bytes for one token of context across all layers (no window applied). */
export function kvBytesPerToken(spec: ModelSpec, kvBytes: number): number {
  let elements = 0;
  for (const g of kvLayerGroups(spec)) elements += g.layers * g.elementsPerToken;
  return elements * kvBytes;
}

interface GroupCost {
  elements: number;
  formula: string;
  inputs: Record<string, number>;
  note: string | null;
}

/** One group's cache elements for a context of `tokens`, with its part of the formula. */
function groupCost(spec: ModelSpec, g: KvLayerGroup, index: number, tokens: number, rt: RuntimeProfile): GroupCost {
  const kv = KV_SPECS[g.kind];
  const capped = kv.capsAtWindow({ attention: g.kind, window: g.window, moe: false }, rt);
  const name = `${g.kind}${index}`;
  const kept = capped ? Math.min(tokens, g.window) : tokens;
  const inputs: Record<string, number> = { [`${name}_layers`]: g.layers, [`${name}_elems`]: g.elementsPerToken };
  if (capped) inputs[`${name}_window`] = g.window;
  const uncappedSliding = g.kind === 'sliding' && !capped ? `${g.layers} sliding-window layers keep every token in this runtime` : null;
  return {
    elements: g.layers * g.elementsPerToken * kept,
    formula: `${name}_layers * ${name}_elems * ${capped ? `min(tokens, ${name}_window)` : 'tokens'}`,
    inputs,
    note: uncappedSliding ?? (capped ? `${g.layers} sliding-window layers keep ${g.window} tokens` : kv.describe(spec, g.elementsPerToken)),
  };
}

export function kvCacheTerm(spec: ModelSpec, batch: number, tokens: number, kvBytes: number, runtime: RuntimeProfile): Term {
  const costs = kvLayerGroups(spec).map((g, i) => groupCost(spec, g, i, tokens, runtime));
  let elements = 0;
  for (const c of costs) elements += c.elements;
  const notes = [...new Set(costs.map((c) => c.note).filter((n): n is string => n !== null))];
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache',
      formula: `batch * kv_bytes * (${costs.map((c) => c.formula).join(' + ') || '0'})`,
      inputs: Object.assign({ batch, tokens, kv_bytes: kvBytes }, ...costs.map((c) => c.inputs)) as Record<string, number>,
      source: 'PagedAttention §3 (arXiv 2309.06180); DeepSeek-V2 §2.1 (MLA); Mistral 7B §2 (sliding window)',
      note: notes.join('; '),
    },
    batch * kvBytes * elements,
  );
}

/** transformers' DynamicCache concatenates a new tensor per step: one layer's K or V (or latent) is copied. */
export function kvGrowthTerm(spec: ModelSpec, kv: Term): Term {
  const layers = Math.max(1, spec.layers);
  const tensorsPerLayer = spec.mla ? 1 : 2;
  return makeTerm(
    {
      id: 'kv_growth',
      label: 'KV cache growth (torch.cat copy of one layer)',
      formula: 'ceil(kv_bytes / layers / tensors_per_layer)',
      inputs: { kv_bytes: kv.bytes, layers, tensors_per_layer: tensorsPerLayer },
      source: 'transformers DynamicCache.update concatenates a new tensor per step',
    },
    Math.ceil(kv.bytes / layers / tensorsPerLayer),
  );
}

/** "GQA 32/8 + sliding window 4096 on 16/32 layers", "MLA", "MHA". */
export function attentionLabel(spec: ModelSpec): string {
  if (spec.mla) return 'MLA';
  let label = spec.kvHeads === spec.heads ? 'MHA' : spec.kvHeads === 1 ? 'MQA' : `GQA ${spec.heads}/${spec.kvHeads}`;
  const sliding = kvLayerGroups(spec).filter((g) => g.kind === 'sliding');
  const slidingLayers = sliding.reduce((n, g) => n + g.layers, 0);
  if (slidingLayers > 0) label += ` + sliding window ${Math.max(...sliding.map((g) => g.window))} on ${slidingLayers}/${spec.layers} layers`;
  return label;
}

export function hasSlidingLayers(spec: ModelSpec): boolean {
  return spec.layerKinds.some((l) => l.attention === 'sliding');
}
