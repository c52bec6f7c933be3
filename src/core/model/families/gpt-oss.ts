/**
 * gpt-oss (GptOssForCausalLM): Llama-like attention with biases on q/k/v/o and one learned attention sink per head
 * (self_attn.sinks [heads]); layers alternate 128-token sliding and full attention (layer_types); every layer a
 * top-k MoE whose router has a bias and whose experts are fused with biases: gate_up_proj [E, H, 2I] +
 * gate_up_proj_bias [E, 2I], down_proj [E, I, H] + down_proj_bias [E, H]. The checkpoint stores the experts in
 * MXFP4 and keeps attention, router, embeddings and lm_head in bf16 (quantization_config.modules_to_not_convert).
 */
import type { ModelSpec } from '../../types.ts';
import { activationOf, finishSpec, layerKinds, LLAMA_BLOCK, readDims, readWindow } from '../common.ts';
import { addAttention, addEmbeddings, type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

export function readGptOss(r: ConfigReader, modelType: string): ModelSpec {
  const d = readDims(r, { headDimDefault: 64 });
  const experts = r.defaulted('num_local_experts', 128, LIMITS.experts, 'GptOssConfig');
  const topK = r.defaulted('num_experts_per_tok', 4, experts, 'GptOssConfig');
  const I = d.intermediate;
  const n = d.layers;
  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  const bias = r.bool('attention_bias', true);
  addAttention(t, d, { qkvBias: bias, oBias: bias, qNorm: null, kNorm: null });
  t.add({ name: `${L}.self_attn.sinks`, role: 'other', numel: d.heads, count: n });
  t.linear(`${L}.mlp.router`, 'router', experts, d.hidden, n, { role: 'router', bias: true });
  const ex = { role: 'expert' as const, activeCount: n * topK, bias: true };
  t.linear(`${L}.mlp.experts.*.gate_up_proj`, 'gate_up_proj', 2 * I, d.hidden, n * experts, ex);
  t.linear(`${L}.mlp.experts.*.down_proj`, 'down_proj', d.hidden, I, n * experts, ex);
  t.norm(`${L}.input_layernorm`, d.hidden, n);
  t.norm(`${L}.post_attention_layernorm`, d.hidden, n);
  t.norm('model.norm', d.hidden, 1);
  const moe: MoePlan = { experts, topK, expertIntermediate: I, isMoe: Array.from({ length: n }, () => true) };
  return finishSpec(r, {
    modelType,
    adapter: 'gpt_oss',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, fusedGateUp: true, activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, n, { window: readWindow(r) ?? 128, sliding: (i) => i % 2 === 0, moe: () => true }),
    moe: moeSpecOf(moe),
    tensors: t,
  });
}
