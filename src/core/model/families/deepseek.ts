/**
 * DeepSeek-V2 / V3: multi-head latent attention (MLA) and fine-grained MoE with shared experts.
 *
 * Attention per layer (transformers DeepseekV2Attention / DeepseekV3Attention):
 *   q_lora_rank null → q_proj [heads·(nope+rope), H]
 *   else             → q_a_proj [q_lora, H] (+bias if attention_bias), q_a_layernorm [q_lora], q_b_proj [heads·(nope+rope), q_lora]
 *   kv_a_proj_with_mqa [kv_lora + rope, H] (+bias), kv_a_layernorm [kv_lora], kv_b_proj [heads·(nope + v), kv_lora],
 *   o_proj [H, heads·v] (+bias).
 * Feed-forward: layers i < first_k_dense_replace are dense (intermediate_size); the rest are MoE: router [E, H],
 * E routed experts of moe_intermediate_size, and one shared MLP of n_shared_experts × moe_intermediate_size.
 * transformers ignores moe_layer_freq (every layer from first_k_dense_replace on is MoE), and so do we.
 * V3's router also holds e_score_correction_bias [E], a buffer in transformers (not a parameter), so not counted.
 */
import type { MlaSpec, ModelSpec } from '../../types.ts';
import { activationOf, type Dims, finishSpec, layerKinds, LLAMA_BLOCK, readDims } from '../common.ts';
import { addEmbeddings, addGatedMlp, addMoe, type MoePlan, moeSpecOf } from '../llama-like.ts';
import { type ConfigReader, LIMITS } from '../read.ts';
import { Tensors } from '../tensors.ts';

const L = 'model.layers.*';

function readMla(r: ConfigReader, cls: string): MlaSpec {
  let qLoraRank: number | null;
  if (!(('q_lora_rank' in r.raw))) {
    r.assume(`"${r.path('q_lora_rank')}" missing: ${cls} default 1536`);
    qLoraRank = 1536;
  } else qLoraRank = r.optInt('q_lora_rank', null, LIMITS.rank);
  return {
    kvLoraRank: r.defaulted('kv_lora_rank', 512, LIMITS.rank, cls),
    qLoraRank,
    qkNopeHeadDim: r.defaulted('qk_nope_head_dim', 128, LIMITS.headDim, cls, { min: 0 }),
    qkRopeHeadDim: r.defaulted('qk_rope_head_dim', 64, LIMITS.headDim, cls),
    vHeadDim: r.defaulted('v_head_dim', 128, LIMITS.headDim, cls),
  };
}

function addMla(t: Tensors, d: Dims, m: MlaSpec, bias: boolean): void {
  const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
  const n = d.layers;
  if (m.qLoraRank === null) t.linear(`${L}.self_attn.q_proj`, 'q_proj', d.heads * qk, d.hidden, n);
  else {
    t.linear(`${L}.self_attn.q_a_proj`, 'q_a_proj', m.qLoraRank, d.hidden, n, { bias });
    t.norm(`${L}.self_attn.q_a_layernorm`, m.qLoraRank, n);
    t.linear(`${L}.self_attn.q_b_proj`, 'q_b_proj', d.heads * qk, m.qLoraRank, n);
  }
  t.linear(`${L}.self_attn.kv_a_proj_with_mqa`, 'kv_a_proj_with_mqa', m.kvLoraRank + m.qkRopeHeadDim, d.hidden, n, { bias });
  t.norm(`${L}.self_attn.kv_a_layernorm`, m.kvLoraRank, n);
  t.linear(`${L}.self_attn.kv_b_proj`, 'kv_b_proj', d.heads * (m.qkNopeHeadDim + m.vHeadDim), m.kvLoraRank, n);
  t.linear(`${L}.self_attn.o_proj`, 'o_proj', d.hidden, d.heads * m.vHeadDim, n, { bias });
}

/**
 * DeepSeek-V3.2's lightning indexer (DeepSeek Sparse Attention), per layer, as in the reference model.py:
 * wq_b [index_n_heads·index_head_dim, q_lora_rank], wk [index_head_dim, H], k_norm (LayerNorm with bias)
 * [index_head_dim], weights_proj [index_n_heads, H]. Its keys (index_head_dim) add index_head_dim elements per token
 * per layer to the cache; that is not modelled yet (an assumption says so).
 */
function addIndexer(r: ConfigReader, t: Tensors, d: Dims, m: MlaSpec): void {
  if (!r.has('index_n_heads')) return;
  const heads = r.int('index_n_heads', LIMITS.heads);
  const dim = r.int('index_head_dim', LIMITS.headDim);
  const n = d.layers;
  const qIn = m.qLoraRank ?? d.hidden;
  t.linear(`${L}.self_attn.indexer.wq_b`, 'wq_b', heads * dim, qIn, n);
  t.linear(`${L}.self_attn.indexer.wk`, 'wk', dim, d.hidden, n);
  t.norm(`${L}.self_attn.indexer.k_norm`, dim, n, true);
  t.linear(`${L}.self_attn.indexer.weights_proj`, 'weights_proj', heads, d.hidden, n);
  r.assume(`DeepSeek sparse attention: the indexer's keys (index_head_dim ${dim} per token per layer) are not counted in the KV cache; index_topk ${r.optInt('index_topk', 2048, LIMITS.positions)} is not modelled (attention is estimated as dense)`);
}

export function readDeepseek(r: ConfigReader, modelType: string): ModelSpec {
  // V3, V3.2 and the models built on them (kimi_k2, or any config with MLA keys) share V3's rules.
  const v3 = modelType !== 'deepseek_v2';
  const cls = v3 ? 'DeepseekV3Config' : 'DeepseekV2Config';
  const mla = readMla(r, cls);
  // head_dim of MLA is qk_nope + qk_rope, whatever a head_dim key says.
  const d: Dims = { ...readDims(r, { headDimDefault: 0 }), headDim: mla.qkNopeHeadDim + mla.qkRopeHeadDim };
  const { hidden, layers, intermediate } = d;

  const routed = r.optInt('n_routed_experts', null, LIMITS.experts, { min: 0 });
  const firstDense = r.optInt('first_k_dense_replace', 0, LIMITS.layers, { min: 0 });
  const freq = r.optInt('moe_layer_freq', 1, LIMITS.layers);
  if (freq !== 1) r.assume(`moe_layer_freq ${freq} is ignored, as transformers does: every layer from first_k_dense_replace on is MoE`);
  let moe: MoePlan | null = null;
  if (routed === null || routed === 0) r.assume('no routed experts (n_routed_experts): every layer is dense');
  else {
    const expertIntermediate = r.defaulted('moe_intermediate_size', v3 ? 2048 : 1407, LIMITS.intermediate, cls);
    const shared = r.optInt('n_shared_experts', v3 ? 1 : null, LIMITS.experts, { min: 0 });
    moe = {
      experts: routed,
      topK: r.int('num_experts_per_tok', routed),
      expertIntermediate,
      isMoe: Array.from({ length: layers }, (_, i) => i >= firstDense),
      ...(shared !== null && shared > 0
        ? { shared: { name: 'shared_experts', experts: shared, intermediate: expertIntermediate, gate: false, bias: !v3 && r.bool('mlp_bias', false) } }
        : {}),
    };
  }

  const tied = r.bool('tie_word_embeddings', false);
  const t = new Tensors();
  addEmbeddings(t, d, tied);
  addMla(t, d, mla, r.bool('attention_bias', false));
  addIndexer(r, t, d, mla);
  const moeLayers = moe ? addMoe(t, hidden, moe) : 0;
  addGatedMlp(t, `${L}.mlp`, hidden, intermediate, layers - moeLayers, !v3 && r.bool('mlp_bias', false));
  t.norm(`${L}.input_layernorm`, hidden, layers);
  t.norm(`${L}.post_attention_layernorm`, hidden, layers);
  t.norm('model.norm', hidden, 1);
  if (r.has('num_nextn_predict_layers') && v3)
    r.assume('num_nextn_predict_layers: the multi-token-prediction layer is not built by transformers and not counted');
  return finishSpec(r, {
    modelType,
    adapter: !v3 ? 'deepseek_v2' : r.has('index_n_heads') ? 'deepseek_v32' : 'deepseek_v3',
    dims: d,
    tied,
    block: { ...LLAMA_BLOCK, activation: activationOf(r, 'silu') },
    layerKinds: layerKinds(r, layers, { window: null, attention: 'mla', moe: (i) => moe?.isMoe[i] ?? false }),
    mla,
    moe: moeSpecOf(moe),
    tensors: t,
  });
}
