/**
 * One cache spec per attention kind, the shape of vLLM's kv_cache_interface: each kind knows the elements one token
 * adds to a layer's cache and how many tokens the layer keeps. A new attention kind is one entry here.
 * - full: K and V, 2 · n_kv · d_h per token (GQA/MQA/MHA), every token kept (PagedAttention §3, arXiv 2309.06180);
 * - sliding: the same per token; a rolling buffer keeps the window only where the runtime has one (Mistral 7B §2);
 * - mla: the compressed latent kv_lora_rank + qk_rope_head_dim, every token kept (DeepSeek-V2 §2.1).
 */
import type { AttentionKind, LayerSpec, ModelSpec } from '../types.ts';
import type { RuntimeProfile } from '../runtime.ts';

export interface KvSpec {
  kind: AttentionKind;
  /** Cache elements one token adds to one layer of this kind. */
  elementsPerToken(spec: ModelSpec): number;
  /** Whether the layer keeps only its window of a longer context in this runtime. */
  capsAtWindow(layer: LayerSpec, rt: RuntimeProfile): boolean;
  /** What the cache holds, for the term's note. */
  describe(spec: ModelSpec, elements: number): string;
}

const keyValueElements = (spec: ModelSpec) => 2 * spec.kvHeads * spec.headDim;
const keyValueNote = (spec: ModelSpec) => `${spec.kvHeads} KV heads × ${spec.headDim} dims × 2 (K and V)`;

export const KV_SPECS: Readonly<Record<AttentionKind, KvSpec>> = {
  full: { kind: 'full', elementsPerToken: keyValueElements, capsAtWindow: () => false, describe: keyValueNote },
  sliding: {
    kind: 'sliding',
    elementsPerToken: keyValueElements,
    capsAtWindow: (layer, rt) => rt.slidingWindowCapsCache && (layer.window ?? 0) > 0,
    describe: keyValueNote,
  },
  mla: {
    kind: 'mla',
    elementsPerToken: (spec) => (spec.mla ? spec.mla.kvLoraRank + spec.mla.qkRopeHeadDim : 0),
    capsAtWindow: () => false,
    describe: (_spec, elements) => `MLA latent ${elements} per token per layer`,
  },
};

/** Layers that cache alike: one attention kind and window. */
export interface KvLayerGroup {
  kind: AttentionKind;
  layers: number;
  /** Tokens kept by a sliding-window layer (0 for other kinds). */
  window: number;
  elementsPerToken: number;
}

/** The model's layers grouped by attention kind and window, in the order the kinds first appear. */
export function kvLayerGroups(spec: ModelSpec): KvLayerGroup[] {
  const groups = new Map<string, KvLayerGroup>();
  for (const layer of spec.layerKinds) {
    const window = layer.attention === 'sliding' ? (layer.window ?? 0) : 0;
    const key = `${layer.attention}:${window}`;
    const g = groups.get(key);
    if (g) g.layers++;
    else groups.set(key, { kind: layer.attention, layers: 1, window, elementsPerToken: KV_SPECS[layer.attention].elementsPerToken(spec) });
  }
  return [...groups.values()];
}
