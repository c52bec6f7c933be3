/**
 * KV cache. One rule per attention kind, like vLLM's per-kind cache specs:
 * full attention 2·n_kv·d_h per token per layer; sliding window the same, capped at the window only if the
 * runtime keeps a rolling buffer; chunked attention (Llama 4) likewise, at the chunk; MLA the compressed latent
 * (kv_lora_rank + qk_rope_head_dim); linear-attention (Gated DeltaNet) and Mamba layers a fixed state per sequence
 * (convolution state + recurrent state), whatever the context length.
 */
import type { ModelSpec, Term } from '../types.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { makeTerm } from './term.ts';

export interface KvShape {
  fullLayers: number;
  slidingLayers: number;
  mlaLayers: number;
  window: number;
  /** Elements per token per layer. */
  fullElems: number;
  mlaElems: number;
  /** Linear-attention and Mamba layers: bytes of fixed state per sequence, all such layers together. */
  stateLayers: number;
  stateBytesPerSeq: number;
}

/** Bytes of the fixed per-sequence state of linear-attention and Mamba layers (conv state in kv dtype). */
function recurrentStateBytes(spec: ModelSpec, kvBytes: number): { layers: number; bytes: number } {
  let layers = 0;
  let bytes = 0;
  for (const l of spec.layerKinds) {
    const st = l.attention === 'linear' ? spec.linearState : l.attention === 'mamba' ? spec.mambaState : undefined;
    if (!st) continue;
    layers++;
    bytes += st.convElems * kvBytes + st.stateElems * (st.stateBytes ?? kvBytes);
  }
  return { layers, bytes };
}

export function kvShape(spec: ModelSpec, kvBytes = 2): KvShape {
  let fullLayers = 0;
  let slidingLayers = 0;
  let mlaLayers = 0;
  let window = 0;
  for (const l of spec.layerKinds) {
    if (l.attention === 'mla') mlaLayers++;
    else if (l.attention === 'linear' || l.attention === 'mamba' || l.attention === 'none') continue;
    else if (l.attention === 'sliding' || l.attention === 'chunked') {
      slidingLayers++;
      window = Math.max(window, l.window ?? 0);
    } else fullLayers++;
  }
  const mlaElems = spec.mla ? spec.mla.kvLoraRank + spec.mla.qkRopeHeadDim : 0;
  const state = recurrentStateBytes(spec, kvBytes);
  return {
    fullLayers,
    slidingLayers,
    mlaLayers,
    window,
    fullElems: 2 * spec.kvHeads * spec.headDim,
    mlaElems,
    stateLayers: state.layers,
    stateBytesPerSeq: state.bytes,
  };
}

/** Bytes for one token of context across all layers (uncapped). */
export function kvBytesPerToken(spec: ModelSpec, kvBytes: number): number {
  const s = kvShape(spec);
  return ((s.fullLayers + s.slidingLayers) * s.fullElems + s.mlaLayers * s.mlaElems) * kvBytes;
}

export function kvCacheTerm(spec: ModelSpec, batch: number, tokens: number, kvBytes: number, runtime: RuntimeProfile): Term {
  const s = kvShape(spec, kvBytes);
  const capped = runtime.slidingWindowCapsCache && s.slidingLayers > 0;
  const uncappedLayers = s.fullLayers + (capped ? 0 : s.slidingLayers);
  const slidingTokens = capped ? Math.min(tokens, s.window) : 0;
  const bytes =
    batch * tokens * (uncappedLayers * s.fullElems + s.mlaLayers * s.mlaElems) * kvBytes +
    batch * slidingTokens * (capped ? s.slidingLayers : 0) * s.fullElems * kvBytes +
    batch * s.stateBytesPerSeq;
  const parts: string[] = [];
  if (s.fullLayers + s.slidingLayers > 0) parts.push(`${spec.kvHeads} KV heads × ${spec.headDim} dims × 2 (K and V)`);
  if (s.mlaLayers > 0) parts.push(`MLA latent ${s.mlaElems} per token per layer`);
  if (s.slidingLayers > 0 && !capped) parts.push(`${s.slidingLayers} sliding-window layers keep every token in this runtime`);
  if (s.stateLayers > 0) parts.push(`${s.stateLayers} linear-attention/Mamba layers keep a fixed state of ${s.stateBytesPerSeq} B per sequence`);
  const stateFormula = s.stateLayers > 0 ? ' + batch * state_bytes_per_seq' : '';
  return makeTerm(
    {
      id: 'kv_cache',
      label: 'KV cache',
      formula:
        'batch * tokens * (layers_uncapped * kv_elems + mla_layers * mla_elems) * kv_bytes + batch * min(tokens, window) * sliding_layers_capped * kv_elems * kv_bytes' +
        stateFormula,
      inputs: {
        batch,
        tokens,
        layers_uncapped: uncappedLayers,
        kv_elems: s.fullElems,
        mla_layers: s.mlaLayers,
        mla_elems: s.mlaElems,
        kv_bytes: kvBytes,
        window: s.window,
        sliding_layers_capped: capped ? s.slidingLayers : 0,
        ...(s.stateLayers > 0 ? { state_bytes_per_seq: s.stateBytesPerSeq } : {}),
      },
      source:
        'PagedAttention §3 (arXiv 2309.06180); DeepSeek-V2 §2.1 (MLA); Mistral 7B §2 (sliding window)' +
        (s.stateLayers > 0 ? '; vLLM MambaSpec (fixed state per sequence: conv + SSM/delta-rule state)' : ''),
      note: parts.join('; '),
    },
    bytes,
  );
}
