/**
 * Multimodal wrappers (Llama 4, Qwen2-VL / Qwen2.5-VL / Qwen3-VL, Mistral 3, LLaVA): the language model from
 * `text_config` (or, in older Qwen-VL configs, from the top level), read by its own family's adapter, plus the vision
 * tower and projector from `vision_config`, counted as tensor groups of role 'vision': their weights are on the GPU.
 */
import type { ModelSpec, TensorGroup, VisionTowerSpec } from '../../types.ts';
import { ConfigReader } from '../read.ts';
import { Tensors } from '../tensors.ts';
import { llama4Vision, llavaVision, pixtralVision, qwen3VlVision, qwenVlVision } from './vision.ts';

type TextAdapter = (r: ConfigReader, modelType: string, top?: ConfigReader) => ModelSpec;
type Vision = (t: Tensors, v: ConfigReader, top: ConfigReader, textHidden: number) => VisionTowerSpec;

type ImageTokens = (v: ConfigReader, top: ConfigReader) => { perImage: number; basis: string };

interface Wrapper {
  /** The text adapter's model_type when text_config names none the engine knows. */
  text: string;
  vision: Vision | null;
  /** Language-model tokens per image, from the vision config. */
  imageTokens?: ImageTokens;
}

/** Qwen-VL: patches of `patch` pixels merged `merge`×`merge` into one token, for a 448×448 image (dynamic in practice). */
const qwenImage =
  (patchDefault: number): ImageTokens =>
  (v) => {
    const p = v.optInt('patch_size', patchDefault, 1024);
    const m = v.optInt('spatial_merge_size', 2, 16);
    const side = Math.ceil(448 / p / m);
    return { perImage: side * side, basis: `a 448×448 image: (448 / ${p} / ${m})² tokens (Qwen-VL sizes images dynamically)` };
  };

const IMAGE_TOKENS: Readonly<Record<string, ImageTokens>> = {
  llama4: (v) => {
    const side = Math.floor(v.optInt('image_size', 336, 1 << 16) / v.optInt('patch_size', 14, 1024));
    return { perImage: Math.round((side * side) / 4), basis: `one ${side}×${side}-patch tile after the 2×2 pixel shuffle` };
  },
  qwen2_vl: qwenImage(14),
  qwen2_5_vl: qwenImage(14),
  qwen3_vl: qwenImage(16),
  qwen3_vl_moe: qwenImage(16),
  mistral3: (v, top) => {
    const side = Math.ceil(Math.min(v.optInt('image_size', 1024, 1 << 16), 1024) / v.optInt('patch_size', 14, 1024) / top.optInt('spatial_merge_size', 2, 16));
    return { perImage: side * side + side, basis: `a 1024×1024 image: ${side}² merged patches + ${side} row breaks` };
  },
  llava: (v, top) => {
    const side = Math.floor(v.optInt('image_size', 336, 1 << 16) / v.optInt('patch_size', 14, 1024));
    const n = top.optInt('image_seq_length', side * side, 1 << 20);
    return { perImage: n, basis: top.has('image_seq_length') ? 'image_seq_length' : `(${side})² patches of the vision tower` };
  },
  llava_next: (v) => {
    const side = Math.floor(v.optInt('image_size', 336, 1 << 16) / v.optInt('patch_size', 14, 1024));
    return { perImage: side * side, basis: `the base ${side}×${side}-patch view (AnyRes tiles add more)` };
  },
};

export const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  llama4: { text: 'llama4_text', vision: (t, v, _top, h) => llama4Vision(t, v, h) },
  qwen2_vl: { text: 'qwen2', vision: (t, v, _top, h) => qwenVlVision(t, v, h, false) },
  qwen2_5_vl: { text: 'qwen2', vision: (t, v, _top, h) => qwenVlVision(t, v, h, true) },
  qwen3_vl: { text: 'qwen3', vision: (t, v, _top, h) => qwen3VlVision(t, v, h) },
  qwen3_vl_moe: { text: 'qwen3_moe', vision: (t, v, _top, h) => qwen3VlVision(t, v, h) },
  mistral3: { text: 'mistral', vision: (t, v, top, h) => pixtralVision(t, v, top, h) },
  llava: { text: 'llama', vision: (t, v, top, h) => llavaVision(t, v, top, h, false) },
  llava_next: { text: 'llama', vision: (t, v, top, h) => llavaVision(t, v, top, h, true) },
};

/** Adds the vision groups to a text spec: totals and active parameters grow by them, embeddings do not. */
export function withVision(spec: ModelSpec, groups: TensorGroup[]): ModelSpec {
  const n = groups.reduce((s, g) => s + g.numel * g.count, 0);
  return { ...spec, tensors: [...spec.tensors, ...groups], params: { ...spec.params, total: spec.params.total + n, active: spec.params.active + n } };
}

export function readWrapper(r: ConfigReader, modelType: string, adapters: Readonly<Record<string, TextAdapter>>): ModelSpec {
  const w = WRAPPERS[modelType]!;
  let text = r.nested('text_config');
  if (text === null) {
    if (!r.has('hidden_size'))
      throw r.error('text_config', `missing: a ${modelType} config nests its language model there (hidden_size, num_hidden_layers, …)`);
    text = r; // older Qwen-VL configs keep the text keys at the top level
  } else if (!text.has('hidden_size') && !text.has('num_hidden_layers'))
    throw text.error('hidden_size', `missing: "text_config" of a ${modelType} config has none of the language model's keys`);
  const named = text.str('model_type');
  const textType = named !== null && text !== r && Object.hasOwn(adapters, named) ? named : w.text;
  // Keys the wrapper keeps at its top level (tie_word_embeddings of Llama 4, dtype) apply to the text model.
  const raw = { ...text.raw };
  if (text !== r) for (const k of ['tie_word_embeddings', 'torch_dtype', 'dtype']) if (raw[k] === undefined && r.has(k)) raw[k] = r.raw[k];
  const reader = text === r ? r : new ConfigReader(raw, text.prefix, r.assumptions);
  const spec = adapters[textType]!(reader, textType, r);
  spec.modelType = modelType;
  // transformers ≥ 5 names the wrapped language model model.language_model.* (lm_head stays at the top)
  spec.tensors = spec.tensors.map((g) => (g.name.startsWith('model.') ? { ...g, name: `model.language_model.${g.name.slice('model.'.length)}` } : g));
  const arch = r.raw['architectures'];
  if (Array.isArray(arch) && arch.every((a) => typeof a === 'string')) spec.architectures = arch;
  const vision = r.nested('vision_config');
  if (vision === null) {
    r.assume(`${modelType}: no "vision_config": only the language model is counted`);
    return spec;
  }
  if (w.vision === null) {
    r.assume(`${modelType}: the vision tower and projector are not counted yet (only the language model)`);
    return spec;
  }
  const t = new Tensors();
  const tower = w.vision(t, vision, r, spec.hidden);
  const withTower = withVision(spec, t.groups);
  withTower.visionTower = tower;
  const tokens = IMAGE_TOKENS[modelType];
  if (tokens) withTower.imageTokens = tokens(vision, r);
  return withTower;
}
