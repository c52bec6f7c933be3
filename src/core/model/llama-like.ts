/**
 * The Llama-like decoder every modern family shares: token embedding, N × (norms, q/k/v/o attention, gated MLP or
 * MoE), final norm, lm_head (unless tied). Families differ in defaults (tying, head_dim), biases, extra norms and
 * the feed-forward block; they describe those differences in a recipe and this module builds the tensors.
 */
import type { BlockSpec, LayerSpec, ModelSpec, MoeSpec } from '../types.ts';
import { type Dims, finishSpec, LLAMA_BLOCK } from './common.ts';
import type { ConfigReader } from './read.ts';
import { Tensors } from './tensors.ts';

const L = 'model.layers.*';

export interface AttentionPlan {
  qkvBias: boolean;
  oBias: boolean;
  /** Widths of q_norm / k_norm weights (per-head: head_dim; full: heads × head_dim); null = none. */
  qNorm: number | null;
  kNorm: number | null;
}

/** q_proj, k_proj, v_proj, o_proj (+ biases, + q/k norms) of `count` layers. */
export function addAttention(t: Tensors, d: Dims, a: AttentionPlan, count = d.layers): void {
  const q = d.heads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  t.linear(`${L}.self_attn.q_proj`, 'q_proj', q, d.hidden, count, { bias: a.qkvBias });
  t.linear(`${L}.self_attn.k_proj`, 'k_proj', kv, d.hidden, count, { bias: a.qkvBias });
  t.linear(`${L}.self_attn.v_proj`, 'v_proj', kv, d.hidden, count, { bias: a.qkvBias });
  t.linear(`${L}.self_attn.o_proj`, 'o_proj', d.hidden, q, count, { bias: a.oBias });
  if (a.qNorm !== null) t.norm(`${L}.self_attn.q_norm`, a.qNorm, count);
  if (a.kNorm !== null) t.norm(`${L}.self_attn.k_norm`, a.kNorm, count);
}

/** gate_proj, up_proj, down_proj of `count` blocks at `path` (a dense MLP or a shared expert). */
export function addGatedMlp(t: Tensors, path: string, hidden: number, inter: number, count: number, bias = false): void {
  t.linear(`${path}.gate_proj`, 'gate_proj', inter, hidden, count, { bias });
  t.linear(`${path}.up_proj`, 'up_proj', inter, hidden, count, { bias });
  t.linear(`${path}.down_proj`, 'down_proj', hidden, inter, count, { bias });
}

export interface MoePlan {
  experts: number;
  topK: number;
  expertIntermediate: number;
  /** Per layer: whether its feed-forward block is the MoE (else a dense MLP of `intermediate`). */
  isMoe: boolean[];
  /** The router's module path under a layer (default `mlp.gate`; Granite MoE `block_sparse_moe.router`, PhiMoE `mlp.router`). */
  router?: string;
  /** Always-on shared expert(s): one MLP of `experts × intermediate` columns at mlp.<name>. */
  shared?: { name: string; experts: number; intermediate: number; gate: boolean; bias?: boolean };
  /** A per-layer parameter of `experts` elements beside the router (ERNIE 4.5's moe_statics.e_score_correction_bias). */
  routerBias?: string;
}

/**
 * Router + routed experts (+ shared experts) of the MoE layers. transformers ≥ 5 stores each layer's experts fused
 * (experts.gate_up_proj [E, 2I, H], experts.down_proj [E, H, I]); we list them per expert (same numel) so that
 * `activeCount` can say how many are used per token.
 */
export function addMoe(t: Tensors, hidden: number, m: MoePlan): number {
  const n = m.isMoe.filter(Boolean).length;
  if (n === 0) return 0;
  const router = m.router ?? 'mlp.gate';
  t.linear(`${L}.${router}`, router.split('.').pop()!, m.experts, hidden, n, { role: 'router' });
  if (m.routerBias) t.add({ name: `${L}.${m.routerBias}`, role: 'router', numel: m.experts, count: n });
  const ex = { role: 'expert' as const, activeCount: n * m.topK };
  const I = m.expertIntermediate;
  t.linear(`${L}.mlp.experts.*.gate_proj`, 'gate_proj', I, hidden, n * m.experts, ex);
  t.linear(`${L}.mlp.experts.*.up_proj`, 'up_proj', I, hidden, n * m.experts, ex);
  t.linear(`${L}.mlp.experts.*.down_proj`, 'down_proj', hidden, I, n * m.experts, ex);
  if (m.shared) {
    addGatedMlp(t, `${L}.mlp.${m.shared.name}`, hidden, m.shared.experts * m.shared.intermediate, n, m.shared.bias);
    if (m.shared.gate) t.linear(`${L}.mlp.${m.shared.name}_gate`, 'shared_expert_gate', 1, hidden, n, { role: 'router' });
  }
  return n;
}

export function moeSpecOf(m: MoePlan | null | undefined): MoeSpec | null {
  if (!m || !m.isMoe.some(Boolean)) return null;
  return {
    experts: m.experts,
    topK: m.topK,
    expertIntermediate: m.expertIntermediate,
    sharedExperts: m.shared?.experts ?? 0,
    /** Width of one shared expert (the shared MLP is sharedExperts × this wide). */
    sharedIntermediate: m.shared?.intermediate ?? 0,
    denseLayers: m.isMoe.filter((x) => !x).length,
  };
}

/** Token embedding and, unless tied, lm_head. */
export function addEmbeddings(t: Tensors, d: Dims, tied: boolean, embedName = 'model.embed_tokens'): void {
  t.embedding(embedName, d.vocab, d.hidden);
  if (!tied) t.lmHead('lm_head', d.vocab, d.hidden);
}

export interface LlamaLikeRecipe {
  modelType: string;
  adapter: string;
  dims: Dims;
  tied: boolean;
  attention: AttentionPlan;
  mlpBias: boolean;
  /** Per-layer norm modules, e.g. input_layernorm, post_attention_layernorm. */
  norms: string[];
  /** false: non-parametric norms (OLMo's LayerNorm without weight). */
  normWeights?: boolean;
  block?: Partial<BlockSpec>;
  layerKinds: LayerSpec[];
  moe?: MoePlan | null;
  /** Reader of the file's top level, when `r` is a nested text config. */
  top?: ConfigReader;
}

export function buildLlamaLike(r: ConfigReader, x: LlamaLikeRecipe): ModelSpec {
  const { dims: d } = x;
  const t = new Tensors();
  addEmbeddings(t, d, x.tied);
  addAttention(t, d, x.attention);
  const moeLayers = x.moe ? addMoe(t, d.hidden, x.moe) : 0;
  addGatedMlp(t, `${L}.mlp`, d.hidden, d.intermediate, d.layers - moeLayers, x.mlpBias);
  if (x.normWeights !== false) {
    for (const n of x.norms) t.norm(`${L}.${n}`, d.hidden, d.layers);
    t.norm('model.norm', d.hidden, 1);
  }
  const block: BlockSpec = { ...LLAMA_BLOCK, normsPerLayer: x.norms.length, ...x.block };
  return finishSpec(
    r,
    {
      modelType: x.modelType,
      adapter: x.adapter,
      dims: d,
      tied: x.tied,
      block,
      layerKinds: x.layerKinds,
      moe: moeSpecOf(x.moe),
      tensors: t,
    },
    x.top,
  );
}

/** The usual pre-norm pair. */
export const PRE_NORMS = ['input_layernorm', 'post_attention_layernorm'];
