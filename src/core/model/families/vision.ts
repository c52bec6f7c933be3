/**
 * Vision towers and projectors of multimodal wrappers, as tensor groups of role 'vision' (their weights are on the
 * GPU with the language model's). One function per tower, named by the wrapper's model_type.
 */
import type { VisionTowerSpec } from '../../types.ts';
import { ConfigReader, LIMITS } from '../read.ts';
import type { Tensors } from '../tensors.ts';

const V = (t: Tensors, name: string, numel: number, count = 1) => t.add({ name, role: 'vision', numel, count });

/** An nn.Linear [out, in] (+ bias) of role 'vision': PEFT's all-linear gives it an adapter like the language model's. */
function lin(t: Tensors, name: string, out: number, inp: number, count: number, bias: boolean): void {
  t.add({ name: `${name}.weight`, role: 'vision', numel: out * inp, count, shape: [out, inp], module: name.slice(name.lastIndexOf('.') + 1) });
  if (bias) V(t, `${name}.bias`, out, count);
}

/** A LayerNorm with bias of role 'vision'. */
function vnorm(t: Tensors, name: string, width: number, count: number): void {
  V(t, `${name}.weight`, width, count);
  V(t, `${name}.bias`, width, count);
}

/** A weight that is not an nn.Linear (a convolution, an attention's packed in_proj) [out, in] (+ bias): no LoRA. */
function vparam(t: Tensors, name: string, out: number, inp: number, count: number, bias: boolean): void {
  V(t, `${name}.weight`, out * inp, count);
  if (bias) V(t, `${name}.bias`, out, count);
}

/**
 * Llama 4 vision model + projector: class_embedding [h], positional_embedding_vlm [(image/patch)² + 1, h],
 * patch_embedding.linear [h, C·p²], layernorm_pre/post (with bias); per layer q/k/v/o with bias, fc1/fc2 with bias,
 * two LayerNorms with bias; vision_adapter (pixel shuffle) fc1 [out, h / ratio²], fc2 [out, out]; projector
 * linear_1 [text hidden, vision_output_dim].
 */
export function llama4Vision(t: Tensors, v: ConfigReader, textHidden: number): VisionTowerSpec {
  const h = v.int('hidden_size', LIMITS.hidden);
  const I = v.int('intermediate_size', LIMITS.intermediate);
  const n = v.int('num_hidden_layers', LIMITS.layers);
  const p = v.int('patch_size', 1024);
  const img = v.int('image_size', 1 << 16);
  const c = v.optInt('num_channels', 3, 16);
  const out = v.int('vision_output_dim', LIMITS.hidden);
  const proj = v.optInt('projector_output_dim', out, LIMITS.hidden);
  const ratio = (v.raw['pixel_shuffle_ratio'] as number | undefined) ?? 0.5;
  const P = 'model.vision_model';
  V(t, `${P}.class_embedding`, h);
  V(t, `${P}.positional_embedding_vlm`, ((img / p) ** 2 + 1) * h);
  lin(t, `${P}.patch_embedding.linear`, h, c * p * p, 1, false);
  for (const ln of ['layernorm_pre', 'layernorm_post']) vnorm(t, `${P}.${ln}`, h, 1);
  for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) lin(t, `${P}.model.layers.*.self_attn.${m}`, h, h, n, true);
  lin(t, `${P}.model.layers.*.mlp.fc1`, I, h, n, true);
  lin(t, `${P}.model.layers.*.mlp.fc2`, h, I, n, true);
  for (const ln of ['input_layernorm', 'post_attention_layernorm']) vnorm(t, `${P}.model.layers.*.${ln}`, h, n);
  lin(t, `${P}.vision_adapter.mlp.fc1`, proj, Math.round(h / (ratio * ratio)), 1, false);
  lin(t, `${P}.vision_adapter.mlp.fc2`, proj, proj, 1, false);
  lin(t, 'model.multi_modal_projector.linear_1', textHidden, out, 1, false);
  // One tile: its patches and the class token.
  return { layers: n, hidden: h, intermediate: I, patchesPerImage: Math.floor(img / p) ** 2 + 1, norm: 'layer', attention: 'separate', mlp: 'plain' };
}

/**
 * Qwen2-VL / Qwen2.5-VL vision transformer: patch_embed Conv3d [h, C, temporal_patch, p, p] (no bias); per block
 * two RMSNorms, qkv [3h, h] and proj [h, h] with bias, a gated MLP with bias (2.5-VL; Qwen2-VL: fc1/fc2 of
 * mlp_ratio·h); merger: ln_q [h], mlp [h·m², h·m²] and [out_hidden, h·m²] with bias.
 */
export function qwenVlVision(t: Tensors, v: ConfigReader, textHidden: number, qwen25: boolean): VisionTowerSpec {
  const h = v.optInt(['hidden_size', 'embed_dim'], 1280, LIMITS.hidden);
  const n = v.optInt('depth', 32, LIMITS.layers);
  const p = v.optInt('patch_size', 14, 1024);
  const tp = v.optInt('temporal_patch_size', 2, 16);
  const c = v.optInt(['in_chans', 'in_channels'], 3, 16);
  const m = v.optInt('spatial_merge_size', 2, 16);
  const out = v.optInt('out_hidden_size', textHidden, LIMITS.hidden);
  const P = 'model.visual';
  V(t, `${P}.patch_embed.proj.weight`, h * c * tp * p * p);
  for (const ln of ['norm1', 'norm2']) V(t, `${P}.blocks.*.${ln}.weight`, h, n);
  lin(t, `${P}.blocks.*.attn.qkv`, 3 * h, h, n, true);
  lin(t, `${P}.blocks.*.attn.proj`, h, h, n, true);
  let I: number;
  if (qwen25) {
    I = v.optInt('intermediate_size', 3420, LIMITS.intermediate);
    lin(t, `${P}.blocks.*.mlp.gate_proj`, I, h, n, true);
    lin(t, `${P}.blocks.*.mlp.up_proj`, I, h, n, true);
    lin(t, `${P}.blocks.*.mlp.down_proj`, h, I, n, true);
  } else {
    I = h * v.optInt('mlp_ratio', 4, 64);
    lin(t, `${P}.blocks.*.mlp.fc1`, I, h, n, true);
    lin(t, `${P}.blocks.*.mlp.fc2`, h, I, n, true);
    V(t, `${P}.blocks.*.norm1.bias`, h, n);
    V(t, `${P}.blocks.*.norm2.bias`, h, n);
  }
  const merged = h * m * m;
  V(t, `${P}.merger.ln_q.weight`, h);
  if (!qwen25) V(t, `${P}.merger.ln_q.bias`, h);
  lin(t, `${P}.merger.mlp.0`, merged, merged, 1, true);
  lin(t, `${P}.merger.mlp.2`, out, merged, 1, true);
  return { layers: n, hidden: h, intermediate: I, patchesPerImage: qwenPatches(p, m), norm: qwen25 ? 'rms' : 'layer', attention: 'fused-rotary', mlp: qwen25 ? 'gated' : 'quick_gelu' };
}

/** Patches of a 448×448 image (the image-token basis), in whole merge × merge groups. */
export function qwenPatches(patch: number, merge: number): number {
  const side = Math.ceil(448 / patch / merge) * merge;
  return side * side;
}

/**
 * Qwen3-VL vision transformer: patch_embed Conv3d [h, C, temporal_patch, p, p] with bias, pos_embed
 * [num_position_embeddings, h]; per block two LayerNorms with bias, qkv [3h, h] and proj with bias, linear_fc1/fc2
 * with bias; merger: norm [h] (with bias), linear_fc1 [h·m², h·m²], linear_fc2 [out, h·m²] with bias; one more
 * merger per deepstack_visual_indexes entry, its norm over h·m².
 */
export function qwen3VlVision(t: Tensors, v: ConfigReader, textHidden: number): VisionTowerSpec {
  const h = v.optInt('hidden_size', 1152, LIMITS.hidden);
  const I = v.optInt('intermediate_size', 4304, LIMITS.intermediate);
  const n = v.optInt('depth', 27, LIMITS.layers);
  const p = v.optInt('patch_size', 16, 1024);
  const tp = v.optInt('temporal_patch_size', 2, 16);
  const c = v.optInt('in_channels', 3, 16);
  const m = v.optInt('spatial_merge_size', 2, 16);
  const pos = v.optInt('num_position_embeddings', 2304, 1 << 20);
  const out = v.optInt('out_hidden_size', textHidden, LIMITS.hidden);
  const deepstack = v.intList('deepstack_visual_indexes', LIMITS.layers).length;
  const P = 'model.visual';
  vparam(t, `${P}.patch_embed.proj`, h, c * tp * p * p, 1, true);
  V(t, `${P}.pos_embed.weight`, pos * h);
  for (const ln of ['norm1', 'norm2']) vnorm(t, `${P}.blocks.*.${ln}`, h, n);
  lin(t, `${P}.blocks.*.attn.qkv`, 3 * h, h, n, true);
  lin(t, `${P}.blocks.*.attn.proj`, h, h, n, true);
  lin(t, `${P}.blocks.*.mlp.linear_fc1`, I, h, n, true);
  lin(t, `${P}.blocks.*.mlp.linear_fc2`, h, I, n, true);
  const merged = h * m * m;
  vnorm(t, `${P}.merger.norm`, h, 1);
  lin(t, `${P}.merger.linear_fc1`, merged, merged, 1, true);
  lin(t, `${P}.merger.linear_fc2`, out, merged, 1, true);
  vnorm(t, `${P}.deepstack_merger_list.*.norm`, merged, deepstack);
  lin(t, `${P}.deepstack_merger_list.*.linear_fc1`, merged, merged, deepstack, true);
  lin(t, `${P}.deepstack_merger_list.*.linear_fc2`, out, merged, deepstack, true);
  return { layers: n, hidden: h, intermediate: I, patchesPerImage: qwenPatches(p, m), norm: 'layer', attention: 'fused-rotary', mlp: 'plain' };
}

/**
 * Gemma 3: the SigLIP tower (vision_use_head false in the published configs), then multi_modal_projector:
 * mm_soft_emb_norm [h] (Gemma RMSNorm, weight only) and mm_input_projection_weight [h, text hidden].
 */
export function gemma3Vision(t: Tensors, v: ConfigReader, textHidden: number): VisionTowerSpec {
  const tower = clipLikeVision(t, v, 'model.vision_tower');
  V(t, 'model.multi_modal_projector.mm_soft_emb_norm.weight', tower.hidden);
  V(t, 'model.multi_modal_projector.mm_input_projection_weight', tower.hidden * textHidden);
  return tower;
}

/**
 * Pixtral vision tower (Mistral 3) + Mistral3 projector: patch_conv [h, C, p, p], ln_pre [h]; per layer
 * attention_norm, q/k/v/o [h, h], gated feed_forward of intermediate_size, ffn_norm (no biases); projector: norm [h],
 * patch_merger.merging_layer [h, h·m²], linear_1 [text, h] and linear_2 [text, text] (bias with
 * multimodal_projector_bias).
 */
export function pixtralVision(t: Tensors, v: ConfigReader, top: ConfigReader, textHidden: number): VisionTowerSpec {
  const h = v.optInt('hidden_size', 1024, LIMITS.hidden);
  const I = v.optInt('intermediate_size', 4096, LIMITS.intermediate);
  const n = v.optInt('num_hidden_layers', 24, LIMITS.layers);
  const p = v.optInt('patch_size', 16, 1024);
  const c = v.optInt('num_channels', 3, 16);
  const m = top.optInt('spatial_merge_size', 2, 16);
  const bias = top.bool('multimodal_projector_bias', false);
  const P = 'model.vision_tower';
  V(t, `${P}.patch_conv.weight`, h * c * p * p);
  V(t, `${P}.ln_pre.weight`, h);
  for (const ln of ['attention_norm', 'ffn_norm']) V(t, `${P}.transformer.layers.*.${ln}.weight`, h, n);
  for (const x of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) lin(t, `${P}.transformer.layers.*.attention.${x}`, h, h, n, false);
  lin(t, `${P}.transformer.layers.*.feed_forward.gate_proj`, I, h, n, false);
  lin(t, `${P}.transformer.layers.*.feed_forward.up_proj`, I, h, n, false);
  lin(t, `${P}.transformer.layers.*.feed_forward.down_proj`, h, I, n, false);
  const Q = 'model.multi_modal_projector';
  V(t, `${Q}.norm.weight`, h);
  lin(t, `${Q}.patch_merger.merging_layer`, h, h * m * m, 1, false);
  lin(t, `${Q}.linear_1`, textHidden, h, 1, bias);
  lin(t, `${Q}.linear_2`, textHidden, textHidden, 1, bias);
  // A 1024×1024 image (the image-token basis): whole merge × merge groups of patches.
  const side = Math.ceil(Math.min(v.optInt('image_size', 1024, 1 << 16), 1024) / p / m) * m;
  return { layers: n, hidden: h, intermediate: I, patchesPerImage: side * side, norm: 'rms', attention: 'separate', mlp: 'gated' };
}

/**
 * A CLIP or SigLIP vision transformer as transformers builds it from `vision_config` (every layer, whatever
 * vision_feature_layer picks): patch_embedding Conv2d [h, C, p, p] (SigLIP with a bias), position_embedding
 * [(image/patch)² (+1 class token for CLIP), h], CLIP's class_embedding [h] and pre_layrnorm; per layer q/k/v/out_proj
 * [h, h] with bias, fc1/fc2 with bias, two LayerNorms with bias; post_layernorm. SigLIP's attention-pooling head is
 * left out when vision_use_head is false.
 */
export function clipLikeVision(t: Tensors, v: ConfigReader, prefix: string): VisionTowerSpec {
  const siglip = (v.str('model_type') ?? 'clip_vision_model').startsWith('siglip');
  const h = v.optInt('hidden_size', siglip ? 768 : 768, LIMITS.hidden);
  const I = v.optInt('intermediate_size', 3072, LIMITS.intermediate);
  const n = v.optInt('num_hidden_layers', 12, LIMITS.layers);
  const p = v.optInt('patch_size', siglip ? 16 : 32, 1024);
  const img = v.optInt('image_size', 224, 1 << 16);
  const c = v.optInt('num_channels', 3, 16);
  const positions = (img / p) ** 2 + (siglip ? 0 : 1);
  const E = `${prefix}.embeddings`;
  V(t, `${E}.patch_embedding.weight`, h * c * p * p);
  if (siglip) V(t, `${E}.patch_embedding.bias`, h);
  else V(t, `${E}.class_embedding`, h);
  V(t, `${E}.position_embedding.weight`, positions * h);
  if (!siglip) vnorm(t, `${prefix}.pre_layrnorm`, h, 1);
  const Lp = `${prefix}.encoder.layers.*`;
  for (const m of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) lin(t, `${Lp}.self_attn.${m}`, h, h, n, true);
  lin(t, `${Lp}.mlp.fc1`, I, h, n, true);
  lin(t, `${Lp}.mlp.fc2`, h, I, n, true);
  for (const ln of ['layer_norm1', 'layer_norm2']) vnorm(t, `${Lp}.${ln}`, h, n);
  vnorm(t, `${prefix}.post_layernorm`, h, 1);
  if (siglip && v.bool('vision_use_head', true)) {
    const H = `${prefix}.head`;
    V(t, `${H}.probe`, h);
    vparam(t, `${H}.attention.in_proj`, 3 * h, h, 1, true);
    lin(t, `${H}.attention.out_proj`, h, h, 1, true);
    vnorm(t, `${H}.layernorm`, h, 1);
    lin(t, `${H}.mlp.fc1`, I, h, 1, true);
    lin(t, `${H}.mlp.fc2`, h, I, 1, true);
  }
  // CLIP's quick_gelu is three elementwise ops (x · sigmoid(1.702 x)); SigLIP's tanh GELU one fused kernel.
  const quick = (v.str('hidden_act') ?? (siglip ? 'gelu_pytorch_tanh' : 'quick_gelu')) === 'quick_gelu';
  return { layers: n, hidden: h, intermediate: I, patchesPerImage: positions, norm: 'layer', attention: 'separate', mlp: quick ? 'quick_gelu' : 'plain' };
}

/**
 * LLaVA / LLaVA-NeXT: the CLIP or SigLIP tower, then multi_modal_projector linear_1 [text, h·k] and linear_2
 * [text, text] with bias (multimodal_projector_bias, default true; k = the number of vision_feature_layer entries
 * when it is a list); LLaVA-NeXT adds image_newline [text].
 */
export function llavaVision(t: Tensors, v: ConfigReader, top: ConfigReader, textHidden: number, next: boolean): VisionTowerSpec {
  const tower = clipLikeVision(t, v, 'model.vision_tower');
  const h = tower.hidden;
  const layers = top.raw['vision_feature_layer'];
  const k = Array.isArray(layers) ? layers.length : 1;
  const bias = top.bool('multimodal_projector_bias', true);
  lin(t, 'model.multi_modal_projector.linear_1', textHidden, h * k, 1, bias);
  lin(t, 'model.multi_modal_projector.linear_2', textHidden, textHidden, 1, bias);
  if (next) V(t, 'model.image_newline', textHidden);
  return tower;
}

export { ConfigReader };
