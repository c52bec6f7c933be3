/** Pieces every adapter shares: the core dimensions, layer kinds, block defaults and the final ModelSpec. */
import type { AttentionKind, BlockSpec, LayerSpec, LinearMixerSpec, MambaMixerSpec, MlaSpec, ModelSpec, MoeSpec, RecurrentStateSpec } from '../types.ts';
import { ConfigError } from './errors.ts';
import { ConfigReader, LIMITS } from './read.ts';
import type { Tensors } from './tensors.ts';

export interface Dims {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  intermediate: number;
}

/** Config key names (first = canonical, the rest aliases) of the core dimensions. */
export interface DimKeys {
  hidden: readonly string[];
  layers: readonly string[];
  heads: readonly string[];
  kvHeads: readonly string[];
  vocab: readonly string[];
  intermediate: readonly string[];
}

export const HF_KEYS: DimKeys = {
  hidden: ['hidden_size'],
  layers: ['num_hidden_layers'],
  heads: ['num_attention_heads'],
  kvHeads: ['num_key_value_heads'],
  vocab: ['vocab_size'],
  intermediate: ['intermediate_size'],
};

export interface DimOptions {
  keys?: DimKeys;
  /** Class default of head_dim when the config has none (Gemma 256, Qwen3 128); else hidden / heads. */
  headDimDefault?: number;
  /** Intermediate size when the config has none (GPT-2: 4 × hidden); undefined = required. */
  intermediateDefault?: (hidden: number) => number;
  /** Whether kv heads come from the config at all (GPT-2 / GPT-NeoX: always = heads). */
  readKvHeads?: boolean;
}

export function readDims(r: ConfigReader, opts: DimOptions = {}): Dims {
  const k = opts.keys ?? HF_KEYS;
  const hidden = r.int(k.hidden, LIMITS.hidden);
  const layers = r.int(k.layers, LIMITS.layers);
  const heads = r.int(k.heads, LIMITS.heads);
  const vocab = r.int(k.vocab, LIMITS.vocab);
  const intermediate = opts.intermediateDefault
    ? r.optInt(k.intermediate, opts.intermediateDefault(hidden), LIMITS.intermediate)
    : r.int(k.intermediate, LIMITS.intermediate);
  const kvHeads = opts.readKvHeads === false ? heads : r.optInt(k.kvHeads, heads, LIMITS.heads);
  const kvKey = k.kvHeads.find((x) => r.has(x)) ?? k.kvHeads[0]!;
  if (kvHeads > heads || heads % kvHeads !== 0)
    throw r.error(kvKey, `(${kvHeads}) must divide ${k.heads[0]} (${heads})`);
  let headDim = r.optInt('head_dim', null, LIMITS.headDim);
  if (headDim === null) {
    if (opts.headDimDefault !== undefined) headDim = opts.headDimDefault;
    else {
      if (heads > hidden) throw r.error(k.heads[0]!, `(${heads}) must not exceed ${k.hidden[0]} (${hidden})`);
      headDim = Math.floor(hidden / heads);
      if (hidden % heads !== 0)
        r.assume(`${k.hidden[0]} (${hidden}) is not a multiple of ${k.heads[0]} (${heads}): head_dim = ${headDim} (floor)`);
    }
  }
  return { hidden, layers, heads, kvHeads, headDim, vocab, intermediate };
}

/** Llama's block: pre-norm RMSNorm, separate q/k/v, SwiGLU, RoPE. Families override what differs. */
export const LLAMA_BLOCK: BlockSpec = {
  norm: 'rms',
  normsPerLayer: 2,
  qkNorm: 'none',
  mlp: 'gated',
  activation: 'fused',
  fusedQkv: false,
  fusedGateUp: false,
  parallelResidual: false,
  absolutePositions: false,
};

/** 'gelu_new' only for GPT-2's tanh GELU written out as elementwise ops; everything else is one fused kernel. */
export function activationOf(r: ConfigReader, fallback: string): BlockSpec['activation'] {
  const act = r.str('activation_function') ?? r.str('hidden_act') ?? r.str('hidden_activation') ?? fallback;
  return act === 'gelu_new' ? 'gelu_new' : 'fused';
}

export interface LayerKindOptions {
  /** Tokens of a sliding-window layer; null = no sliding window. */
  window: number | null;
  /** Whether layer i slides (when the config has no `layer_types`). */
  sliding?: (i: number) => boolean;
  moe?: (i: number) => boolean;
  attention?: 'full' | 'mla';
  /** Tokens per chunk of "chunked_attention" layers (Llama 4 attention_chunk_size); null = none. */
  chunk?: number | null;
  /** The family's own layer rule when the config has no `layer_types` (Llama 4 chunks, Qwen3-Next, Nemotron-H). */
  kind?: (i: number) => AttentionKind;
}

/** `layer_types` entries the engine reads, and the kind each is. */
const LAYER_TYPES: Readonly<Record<string, AttentionKind>> = {
  full_attention: 'full',
  sliding_attention: 'sliding',
  chunked_attention: 'chunked',
  linear_attention: 'linear',
};

function checkedType(r: ConfigReader, t: string, i: number): AttentionKind {
  const kind = Object.hasOwn(LAYER_TYPES, t) ? LAYER_TYPES[t]! : null;
  if (kind === null)
    throw r.error(
      'layer_types',
      `entry ${i} is "${t}", an attention kind the engine does not know (it reads ${Object.keys(LAYER_TYPES).join(', ')})`,
    );
  return kind;
}

/** One LayerSpec per layer; an explicit `layer_types` list in the config wins over the family's rule. */
export function layerKinds(r: ConfigReader, layers: number, opts: LayerKindOptions): LayerSpec[] {
  const types = r.strList('layer_types');
  if (types !== null && types.length !== layers)
    throw r.error('layer_types', `has ${types.length} entries but the model has ${layers} layers`);
  const out: LayerSpec[] = [];
  for (let i = 0; i < layers; i++) {
    const moe = opts.moe ? opts.moe(i) : false;
    let kind: AttentionKind;
    if (types !== null) kind = checkedType(r, types[i]!, i);
    else if (opts.kind) kind = opts.kind(i);
    else kind = opts.window !== null && (opts.sliding ? opts.sliding(i) : true) ? 'sliding' : 'full';
    if (kind === 'sliding' && opts.window === null) throw r.error('sliding_window', 'is required by "sliding_attention" layers');
    if (kind === 'chunked' && (opts.chunk ?? null) === null)
      throw r.error('attention_chunk_size', 'is required by "chunked_attention" layers');
    if (kind === 'full' && opts.attention === 'mla') kind = 'mla';
    if (kind === 'sliding') out.push({ attention: 'sliding', window: opts.window!, moe });
    else if (kind === 'chunked') out.push({ attention: 'chunked', window: opts.chunk!, moe });
    else out.push({ attention: kind, moe });
  }
  return out;
}

/** sliding_window, or null when absent / null / disabled. */
export function readWindow(r: ConfigReader, key = 'sliding_window'): number | null {
  return r.optInt(key, null, LIMITS.window);
}

function normDtype(d: string | null): string | null {
  if (d === null) return null;
  const map: Record<string, string> = {
    bfloat16: 'bf16',
    'torch.bfloat16': 'bf16',
    float16: 'fp16',
    'torch.float16': 'fp16',
    half: 'fp16',
    float32: 'fp32',
    'torch.float32': 'fp32',
    float: 'fp32',
  };
  return map[d] ?? d;
}

export interface SpecParts {
  modelType: string;
  adapter: string;
  dims: Dims;
  tied: boolean;
  block: BlockSpec;
  layerKinds: LayerSpec[];
  mla?: MlaSpec | null;
  moe?: MoeSpec | null;
  linearState?: RecurrentStateSpec;
  mambaState?: RecurrentStateSpec;
  mambaMixer?: MambaMixerSpec;
  linearMixer?: LinearMixerSpec;
  loraIncompatible?: string[];
  tensors: Tensors;
}

/**
 * Assembles the ModelSpec. `r` reads the (text) model config; `top` the file's top level (architectures, dtype),
 * which differs only for nested configs such as gemma3's text_config.
 */
export function finishSpec(r: ConfigReader, parts: SpecParts, top: ConfigReader = r): ModelSpec {
  const archRaw = top.raw['architectures'];
  if (archRaw !== undefined && archRaw !== null && (!Array.isArray(archRaw) || archRaw.some((a) => typeof a !== 'string')))
    throw top.error('architectures', 'must be a list of strings');
  const architectures = (archRaw as string[] | null | undefined) ?? [];
  const maxPositions = r.optInt(
    ['max_position_embeddings', 'n_positions', 'max_sequence_length', 'n_ctx', 'seq_length'],
    null,
    LIMITS.positions,
  );
  const dtypeKey = top.has('torch_dtype') ? 'torch_dtype' : 'dtype';
  const configDtype = normDtype(top.str(dtypeKey) ?? r.str(dtypeKey));
  const params = parts.tensors.counts(r.path('hidden_size'));
  const { dims } = parts;
  return {
    modelType: parts.modelType,
    adapter: parts.adapter,
    architectures,
    hidden: dims.hidden,
    layers: dims.layers,
    heads: dims.heads,
    kvHeads: dims.kvHeads,
    headDim: dims.headDim,
    vocab: dims.vocab,
    intermediate: dims.intermediate,
    tiedEmbeddings: parts.tied,
    maxPositions,
    configDtype,
    block: parts.block,
    layerKinds: parts.layerKinds,
    mla: parts.mla ?? null,
    moe: parts.moe ?? null,
    ...(parts.linearState ? { linearState: parts.linearState } : {}),
    ...(parts.mambaState ? { mambaState: parts.mambaState } : {}),
    ...(parts.mambaMixer ? { mambaMixer: parts.mambaMixer } : {}),
    ...(parts.linearMixer ? { linearMixer: parts.linearMixer } : {}),
    ...(parts.loraIncompatible ? { loraIncompatible: parts.loraIncompatible } : {}),
    tensors: parts.tensors.groups,
    params,
    assumptions: r.assumptions,
  };
}

export { ConfigError };
