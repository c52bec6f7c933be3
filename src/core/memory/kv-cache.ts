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

/** The cache term being built: bytes, formula parts and inputs of every layer group, and their notes. */
interface KvAccumulator {
  elements: number;
  stateBytes: number;
  perToken: string[];
  fixed: string[];
  inputs: Record<string, number>;
  notes: string[];
}

function addNote(acc: KvAccumulator, note: string): void {
  if (note !== '' && !acc.notes.includes(note)) acc.notes.push(note);
}

/** One group's cache for a context of `tokens`: elements per token kept (or a fixed state), and its formula part. */
function addGroup(acc: KvAccumulator, spec: ModelSpec, g: KvLayerGroup, index: number, tokens: number, kvBytes: number, rt: RuntimeProfile): void {
  const kv = KV_SPECS[g.kind];
  const name = g.kind + index;
  acc.inputs[name + '_layers'] = g.layers;
  const statePerLayer = kv.stateBytesPerSequence(spec, kvBytes);
  if (statePerLayer > 0) {
    acc.stateBytes += g.layers * statePerLayer;
    acc.fixed.push(`${name}_layers * ${name}_state_bytes`);
    acc.inputs[name + '_state_bytes'] = statePerLayer;
    addNote(acc, `${g.layers} ${kv.describe(spec, 0)} of ${statePerLayer} B`);
    return;
  }
  const capped = kv.capsAtWindow({ attention: g.kind, window: g.window, moe: false }, rt);
  acc.elements += g.layers * g.elementsPerToken * (capped ? Math.min(tokens, g.window) : tokens);
  acc.inputs[name + '_elems'] = g.elementsPerToken;
  if (capped) acc.inputs[name + '_window'] = g.window;
  acc.perToken.push(`${name}_layers * ${name}_elems * ${capped ? `min(tokens, ${name}_window)` : 'tokens'}`);
  const windowed = g.kind === 'sliding' || g.kind === 'chunked';
  if (windowed && !capped) addNote(acc, `${g.layers} ${g.kind === 'sliding' ? 'sliding-window' : 'chunked-attention'} layers keep every token in this runtime`);
  else addNote(acc, capped ? `${g.layers} ${g.kind} layers keep ${g.window} tokens` : kv.describe(spec, g.elementsPerToken));
}

export function kvCacheTerm(spec: ModelSpec, batch: number, tokens: number, kvBytes: number, runtime: RuntimeProfile): Term {
  const acc: KvAccumulator = { elements: 0, stateBytes: 0, perToken: [], fixed: [], inputs: { batch, tokens, kv_bytes: kvBytes }, notes: [] };
  const groups = kvLayerGroups(spec);
  for (let i = 0; i < groups.length; i++) addGroup(acc, spec, groups[i]!, i, tokens, kvBytes, runtime);
  // batch * (kv_bytes * (per-token parts) + fixed per-sequence parts)
  const tokenPart = `kv_bytes * (${acc.perToken.join(' + ') || '0'})`;
  const stateSource = acc.stateBytes > 0 ? '; vLLM MambaSpec (fixed state per sequence: conv + SSM/delta-rule state)' : '';
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache',
      formula: `batch * (${acc.fixed.length ? [tokenPart, ...acc.fixed].join(' + ') : tokenPart})`,
      inputs: acc.inputs,
      source: 'PagedAttention §3 (arXiv 2309.06180); DeepSeek-V2 §2.1 (MLA); Mistral 7B §2 (sliding window)' + stateSource,
      note: acc.notes.join('; '),
    },
    batch * (kvBytes * acc.elements + acc.stateBytes),
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

/** "GQA 32/8 + sliding window 4096 on 16/32 layers", "MLA", "MHA + 36 linear-attention layers", "GQA 64/8 on 49/80 layers". */
export function attentionLabel(spec: ModelSpec): string {
  let label = spec.mla ? 'MLA' : spec.kvHeads === spec.heads ? 'MHA' : spec.kvHeads === 1 ? 'MQA' : `GQA ${spec.heads}/${spec.kvHeads}`;
  // Plain loops over the groups (no filter/reduce closures): this runs on every estimate.
  let full = 0, sliding = 0, slidingWindow = 0, chunked = 0, chunkWindow = 0, linear = 0, mamba = 0;
  for (const g of kvLayerGroups(spec)) {
    if (g.kind === 'full' || g.kind === 'mla') full += g.layers;
    else if (g.kind === 'sliding') {
      sliding += g.layers;
      slidingWindow = Math.max(slidingWindow, g.window);
    } else if (g.kind === 'chunked') {
      chunked += g.layers;
      chunkWindow = Math.max(chunkWindow, g.window);
    } else if (g.kind === 'linear') linear += g.layers;
    else if (g.kind === 'mamba') mamba += g.layers;
  }
  // NAS models: layers whose attention is a no-op keep no cache.
  if (linear + mamba === 0 && full + sliding + chunked < spec.layers) label += ` on ${full + sliding + chunked}/${spec.layers} layers`;
  if (sliding > 0) label += ` + sliding window ${slidingWindow} on ${sliding}/${spec.layers} layers`;
  if (chunked > 0) label += ` + chunked attention ${chunkWindow} on ${chunked}/${spec.layers} layers`;
  if (linear > 0) label += ` + ${linear} linear-attention layers`;
  if (mamba > 0) label += ` + ${mamba} Mamba layers`;
  return label;
}

/** Layers that attend within a window (sliding or chunked): a runtime without a rolling buffer keeps every token. */
export function hasWindowedLayers(spec: ModelSpec): boolean {
  return spec.layerKinds.some((l) => l.attention === 'sliding' || l.attention === 'chunked');
}
