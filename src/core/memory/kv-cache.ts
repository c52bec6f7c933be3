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

/** Bytes of fixed state kept per sequence by the recurrent layers (linear attention, Mamba), all of them together. */
export function kvStateBytesPerSequence(spec: ModelSpec, kvBytes: number): number {
  let bytes = 0;
  for (const g of kvLayerGroups(spec)) bytes += g.layers * KV_SPECS[g.kind].stateBytesPerSequence(spec, kvBytes);
  return bytes;
}

interface GroupCost {
  /** Cache elements of the group's per-token part. */
  elements: number;
  /** Bytes of its fixed per-sequence state. */
  stateBytes: number;
  formula: string;
  inputs: Record<string, number>;
  note: string | null;
}

/** One group's cache for a context of `tokens` (elements per token kept, or a fixed state), with its part of the formula. */
function groupCost(spec: ModelSpec, g: KvLayerGroup, index: number, tokens: number, kvBytes: number, rt: RuntimeProfile): GroupCost {
  const kv = KV_SPECS[g.kind];
  const name = `${g.kind}${index}`;
  const statePerLayer = kv.stateBytesPerSequence(spec, kvBytes);
  if (statePerLayer > 0) {
    return {
      elements: 0,
      stateBytes: g.layers * statePerLayer,
      formula: `${name}_layers * ${name}_state_bytes`,
      inputs: { [`${name}_layers`]: g.layers, [`${name}_state_bytes`]: statePerLayer },
      note: `${g.layers} ${kv.describe(spec, 0)} of ${statePerLayer} B`,
    };
  }
  const capped = kv.capsAtWindow({ attention: g.kind, window: g.window, moe: false }, rt);
  const kept = capped ? Math.min(tokens, g.window) : tokens;
  const inputs: Record<string, number> = { [`${name}_layers`]: g.layers, [`${name}_elems`]: g.elementsPerToken };
  if (capped) inputs[`${name}_window`] = g.window;
  const windowedKind = g.kind === 'sliding' || g.kind === 'chunked';
  const uncappedNote = windowedKind && !capped ? `${g.layers} ${g.kind === 'sliding' ? 'sliding-window' : 'chunked-attention'} layers keep every token in this runtime` : null;
  return {
    elements: g.layers * g.elementsPerToken * kept,
    stateBytes: 0,
    formula: `${name}_layers * ${name}_elems * ${capped ? `min(tokens, ${name}_window)` : 'tokens'}`,
    inputs,
    note: uncappedNote ?? (capped ? `${g.layers} ${g.kind} layers keep ${g.window} tokens` : kv.describe(spec, g.elementsPerToken)),
  };
}

/** batch * (kv_bytes * (per-token parts) + fixed per-sequence parts). */
function kvFormula(costs: readonly GroupCost[]): string {
  const perToken = costs.filter((c) => c.stateBytes === 0).map((c) => c.formula);
  const fixed = costs.filter((c) => c.stateBytes > 0).map((c) => c.formula);
  const tokenPart = `kv_bytes * (${perToken.join(' + ') || '0'})`;
  return `batch * (${[tokenPart, ...fixed].join(' + ')})`;
}

export function kvCacheTerm(spec: ModelSpec, batch: number, tokens: number, kvBytes: number, runtime: RuntimeProfile): Term {
  const costs = kvLayerGroups(spec).map((g, i) => groupCost(spec, g, i, tokens, kvBytes, runtime));
  let elements = 0;
  let stateBytes = 0;
  for (const c of costs) {
    elements += c.elements;
    stateBytes += c.stateBytes;
  }
  const notes = [...new Set(costs.map((c) => c.note).filter((n): n is string => n !== null && n !== ''))];
  const stateSource = stateBytes > 0 ? "; vLLM MambaSpec (fixed state per sequence: conv + SSM/delta-rule state)" : '';
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache',
      formula: kvFormula(costs),
      inputs: Object.assign({ batch, tokens, kv_bytes: kvBytes }, ...costs.map((c) => c.inputs)) as Record<string, number>,
      source: 'PagedAttention §3 (arXiv 2309.06180); DeepSeek-V2 §2.1 (MLA); Mistral 7B §2 (sliding window)' + stateSource,
      note: notes.join('; '),
    },
    batch * (kvBytes * elements + stateBytes),
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

/** "GQA 32/8 + sliding window 4096 on 16/32 layers", "MLA", "MHA + 36 linear-attention layers". */
export function attentionLabel(spec: ModelSpec): string {
  let label = spec.mla ? 'MLA' : spec.kvHeads === spec.heads ? 'MHA' : spec.kvHeads === 1 ? 'MQA' : `GQA ${spec.heads}/${spec.kvHeads}`;
  const groups = kvLayerGroups(spec);
  const layersOf = (kind: string) => groups.filter((g) => g.kind === kind).reduce((n, g) => n + g.layers, 0);
  const windowOf = (kind: string) => Math.max(...groups.filter((g) => g.kind === kind).map((g) => g.window));
  if (layersOf('sliding') > 0) label += ` + sliding window ${windowOf('sliding')} on ${layersOf('sliding')}/${spec.layers} layers`;
  if (layersOf('chunked') > 0) label += ` + chunked attention ${windowOf('chunked')} on ${layersOf('chunked')}/${spec.layers} layers`;
  if (layersOf('linear') > 0) label += ` + ${layersOf('linear')} linear-attention layers`;
  if (layersOf('mamba') > 0) label += ` + ${layersOf('mamba')} Mamba layers`;
  return label;
}

/** Layers that attend within a window (sliding or chunked): a runtime without a rolling buffer keeps every token. */
export function hasWindowedLayers(spec: ModelSpec): boolean {
  return spec.layerKinds.some((l) => l.attention === 'sliding' || l.attention === 'chunked');
}
