/**
 * One cache spec per attention kind, the shape of vLLM's kv_cache_interface: each kind knows the elements one token
 * adds to a layer's cache, whether the runtime caps it at a window, and any fixed state it keeps per sequence.
 * A new attention kind is one entry here.
 * - full: K and V, 2 · n_kv · d_h per token (GQA/MQA/MHA), every token kept (PagedAttention §3, arXiv 2309.06180);
 * - sliding: the same per token; a rolling buffer keeps the window only where the runtime has one (Mistral 7B §2);
 * - chunked: attention within chunks of `window` tokens (Llama 4), kept like a sliding window;
 * - mla: the compressed latent kv_lora_rank + qk_rope_head_dim, every token kept (DeepSeek-V2 §2.1);
 * - linear (Gated DeltaNet) and mamba (Mamba-1, Mamba-2): no per-token cache, a fixed convolution + recurrent state per
 *   sequence whatever the context (vLLM's MambaSpec);
 * - none: a layer without token mixing (Nemotron-H MLP/MoE layers) keeps nothing.
 * A layer may hold a Mamba mixer beside its attention (Falcon-H1, LayerSpec.sideMamba): it keeps both.
 */
import type { AttentionKind, LayerSpec, ModelSpec, RecurrentStateSpec } from '../types.ts';
import type { RuntimeProfile } from '../runtime.ts';

export interface KvSpec {
  kind: AttentionKind;
  /** Cache elements one token adds to one layer of this kind (`layer` for its own key/value heads, NAS models). */
  elementsPerToken(spec: ModelSpec, layer?: LayerSpec): number;
  /** Whether the layer keeps only its window of a longer context in this runtime. */
  capsAtWindow(layer: LayerSpec, rt: RuntimeProfile): boolean;
  /** Bytes of fixed state one layer keeps per sequence, whatever the context (recurrent layers). */
  stateBytesPerSequence(spec: ModelSpec, kvBytes: number): number;
  /** What the cache holds, for the term's note. */
  describe(spec: ModelSpec, elements: number): string;
}

const keyValueElements = (spec: ModelSpec, layer?: LayerSpec) => 2 * (layer?.kvHeads ?? spec.kvHeads) * spec.headDim;
const keyValueNote = (spec: ModelSpec) => `${spec.kvHeads} KV heads × ${spec.headDim} dims × 2 (K and V)`;
const noState = () => 0;
const windowed = (layer: LayerSpec, rt: RuntimeProfile) => rt.slidingWindowCapsCache && (layer.window ?? 0) > 0;

/** Convolution state in the cache dtype, recurrent state in its own dtype when the config fixes it. */
function recurrentBytes(state: RecurrentStateSpec | undefined, kvBytes: number): number {
  if (!state) return 0;
  return state.convElems * kvBytes + state.stateElems * (state.stateBytes ?? kvBytes);
}

function recurrent(kind: 'linear' | 'mamba', state: (spec: ModelSpec) => RecurrentStateSpec | undefined): KvSpec {
  return {
    kind,
    elementsPerToken: () => 0,
    capsAtWindow: () => false,
    stateBytesPerSequence: (spec, kvBytes) => recurrentBytes(state(spec), kvBytes),
    describe: () => `${kind === 'linear' ? 'linear-attention' : 'Mamba'} layers keep a fixed state per sequence`,
  };
}

export const KV_SPECS: Readonly<Record<AttentionKind, KvSpec>> = {
  full: { kind: 'full', elementsPerToken: keyValueElements, capsAtWindow: () => false, stateBytesPerSequence: noState, describe: keyValueNote },
  sliding: { kind: 'sliding', elementsPerToken: keyValueElements, capsAtWindow: windowed, stateBytesPerSequence: noState, describe: keyValueNote },
  chunked: { kind: 'chunked', elementsPerToken: keyValueElements, capsAtWindow: windowed, stateBytesPerSequence: noState, describe: keyValueNote },
  mla: {
    kind: 'mla',
    elementsPerToken: (spec) => (spec.mla ? spec.mla.kvLoraRank + spec.mla.qkRopeHeadDim : 0),
    capsAtWindow: () => false,
    stateBytesPerSequence: noState,
    describe: (_spec, elements) => `MLA latent ${elements} per token per layer`,
  },
  linear: recurrent('linear', (spec) => spec.linearState),
  mamba: recurrent('mamba', (spec) => spec.mambaState),
  none: { kind: 'none', elementsPerToken: () => 0, capsAtWindow: () => false, stateBytesPerSequence: noState, describe: () => '' },
};

/** Layers that cache alike: one attention kind, window and width (NAS layers differ in key/value heads). */
export interface KvLayerGroup {
  kind: AttentionKind;
  layers: number;
  /** Tokens kept by a sliding-window or chunked layer (0 for other kinds). */
  window: number;
  elementsPerToken: number;
  /** The key/value heads of the group's layers (NAS layers differ). */
  kvHeads: number;
}

/**
 * The model's layers grouped by attention kind and window, in the order the kinds first appear; 'none' left out. A
 * layer with a Mamba mixer beside its attention (Falcon-H1) counts in its attention group and in the 'mamba' group.
 */
export function kvLayerGroups(spec: ModelSpec): readonly KvLayerGroup[] {
  const groups: KvLayerGroup[] = [];
  for (const layer of spec.layerKinds) {
    if (layer.attention !== 'none') countLayer(groups, spec, layer, layer.attention, layer.attention === 'sliding' || layer.attention === 'chunked' ? (layer.window ?? 0) : 0);
    if (layer.sideMamba) countLayer(groups, spec, layer, 'mamba', 0);
  }
  return groups;
}

function countLayer(groups: KvLayerGroup[], spec: ModelSpec, layer: LayerSpec, kind: AttentionKind, window: number): void {
  // NAS layers may have key/value heads of their own: a group holds one width (compared by heads, computed once).
  const heads = layer.kvHeads ?? spec.kvHeads;
  for (const g of groups) {
    if (g.kind === kind && g.window === window && g.kvHeads === heads) {
      g.layers++;
      return;
    }
  }
  groups.push({ kind, layers: 1, window, elementsPerToken: KV_SPECS[kind].elementsPerToken(spec, layer), kvHeads: heads });
}
