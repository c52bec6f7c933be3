/** Gemma, Gemma 2, Gemma 3 (text; the multimodal gemma3 config nests it under text_config). */
import type { ModelSpec } from '../../types.ts';
import { activationOf, layerKinds, readDims, readWindow } from '../common.ts';
import { buildLlamaLike, PRE_NORMS } from '../llama-like.ts';
import { ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';
import { withVision } from './multimodal.ts';
import { gemma3Vision } from './vision.ts';

/** Gemma 2/3 sandwich norms: pre- and post-norm around both attention and MLP. */
const SANDWICH = ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'];

/** Gemma's RMSNorm computes x·(1 + w) in fp32; embeddings tied by default; head_dim 256 by default. */
const GEMMA_BLOCK = { norm: 'rms_f32w' as const };

function attentionBias(r: ConfigReader) {
  const bias = r.bool('attention_bias', false);
  return { qkvBias: bias, oBias: bias };
}

export function readGemma(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r, { headDimDefault: 256 });
  return buildLlamaLike(r, {
    modelType,
    adapter: 'gemma',
    dims,
    tied: r.bool('tie_word_embeddings', true),
    attention: { ...attentionBias(r), qNorm: null, kNorm: null },
    mlpBias: false,
    norms: PRE_NORMS,
    block: { ...GEMMA_BLOCK, activation: activationOf(r, 'gelu_pytorch_tanh') },
    layerKinds: layerKinds(r, dims.layers, { window: null }),
  });
}

/** Gemma 2: 4 norms per layer; layers alternate sliding (even index) and full (odd index). */
export function readGemma2(r: ConfigReader, modelType: string): ModelSpec {
  const dims = readDims(r, { headDimDefault: 256 });
  const window = readWindow(r) ?? 4096;
  return buildLlamaLike(r, {
    modelType,
    adapter: 'gemma2',
    dims,
    tied: r.bool('tie_word_embeddings', true),
    attention: { ...attentionBias(r), qNorm: null, kNorm: null },
    mlpBias: false,
    norms: SANDWICH,
    block: { ...GEMMA_BLOCK, activation: activationOf(r, 'gelu_pytorch_tanh') },
    layerKinds: layerKinds(r, dims.layers, { window, sliding: (i) => (i + 1) % 2 !== 0 }),
  });
}

/** Gemma3TextConfig defaults, used for keys a multimodal gemma3 config leaves out of its text_config. */
const GEMMA3_TEXT_DEFAULTS: Record<string, number> = {
  vocab_size: 262_208,
  hidden_size: 2304,
  intermediate_size: 9216,
  num_hidden_layers: 26,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
};

/**
 * Gemma 3 text: 4 norms per layer, per-head q/k RMSNorm, sliding_window_pattern (default 6): layer i is full
 * attention when (i + 1) % pattern == 0, else sliding.
 */
export function readGemma3Text(r: ConfigReader, modelType: string, top?: ConfigReader): ModelSpec {
  const dims = readDims(r, { headDimDefault: 256 });
  const window = readWindow(r) ?? 4096;
  const pattern = r.optInt('sliding_window_pattern', 6, LIMITS.layers);
  return buildLlamaLike(r, {
    modelType,
    adapter: 'gemma3',
    dims,
    tied: r.bool('tie_word_embeddings', true),
    attention: { ...attentionBias(r), qNorm: dims.headDim, kNorm: dims.headDim },
    mlpBias: false,
    norms: SANDWICH,
    block: { ...GEMMA_BLOCK, qkNorm: 'head', activation: activationOf(r, 'gelu_pytorch_tanh') },
    layerKinds: layerKinds(r, dims.layers, { window, sliding: (i) => (i + 1) % pattern !== 0 }),
    ...(top ? { top } : {}),
  });
}

/**
 * Multimodal gemma3: the language model from text_config (Gemma3TextConfig's defaults for keys it leaves out), plus
 * the SigLIP vision tower and projector from vision_config as role 'vision' groups.
 */
export function readGemma3(r: ConfigReader, modelType: string): ModelSpec {
  const text = r.nested('text_config');
  if (text === null) throw r.error('text_config', 'missing: a gemma3 config nests its language model there');
  const merged = { ...text.raw };
  const defaulted: string[] = [];
  for (const [k, v] of Object.entries(GEMMA3_TEXT_DEFAULTS))
    if (merged[k] === undefined || merged[k] === null) {
      merged[k] = v;
      defaulted.push(`${k}=${v}`);
    }
  if (defaulted.length) r.assume(`text_config leaves out ${defaulted.join(', ')}: Gemma3TextConfig defaults`);
  const spec = readGemma3Text(new ConfigReader(merged, text.prefix, r.assumptions), modelType, r);
  const vision = r.nested('vision_config');
  if (vision === null) {
    r.assume('gemma3: no "vision_config": only the language model is counted');
    return spec;
  }
  // Gemma3ForConditionalGeneration names its language model model.language_model.* (lm_head stays at the top).
  spec.tensors = spec.tensors.map((g) => (g.name.startsWith('model.') ? { ...g, name: `model.language_model.${g.name.slice(6)}` } : g));
  const t = new Tensors();
  const tower = gemma3Vision(t, vision, spec.hidden);
  const withTower = withVision(spec, t.groups);
  withTower.visionTower = tower;
  withTower.imageTokens = { perImage: r.optInt('mm_tokens_per_image', 256, 1 << 20), basis: 'mm_tokens_per_image' };
  return withTower;
}
