/**
 * What one rank holds under tensor, pipeline and expert parallelism, as a ModelSpec of its own: the composers then
 * cost a rank exactly as they cost a whole model on one GPU.
 * - Tensor parallel (Megatron): linear layers, expert matrices, biases of split layers, the embedding and lm_head
 *   divided over `tp`; heads and MLP widths divided; KV heads divided, or one replicated per rank when there are
 *   fewer KV heads than ranks; norms and routers replicated.
 * - Expert parallel: each rank keeps experts / ep of every MoE layer.
 * - Pipeline parallel: a stage keeps its slice of the layers (the first stages one more when they do not divide
 *   evenly); the first stage keeps the embedding, the last the final norm and lm_head (with tied embeddings the last
 *   stage keeps its own copy). Per-layer tensor groups are divided in proportion to the layers, which is exact for
 *   uniform stacks and an approximation for dense-first MoE models.
 */
import type { LayerSpec, ModelSpec, TensorGroup } from '../types.ts';

/** Layers of each pipeline stage: the first (layers mod pp) stages take one more. */
export function stageLayerCounts(layers: number, pp: number): number[] {
  const base = Math.floor(layers / pp);
  return Array.from({ length: pp }, (_, i) => base + (i < layers % pp ? 1 : 0));
}

const ROW_PARALLEL = new Set(['o_proj', 'down_proj', 'dense', 'c_proj', 'dense_4h_to_h', 'fc2', 'w2', 'out_proj', 'wo']);

/** A per-layer group: its name holds the layer index wildcard. */
export function isPerLayer(g: TensorGroup): boolean {
  return /\.\*(\.|$)/.test(g.name);
}

function splitForTp(g: TensorGroup, tp: number): TensorGroup {
  if (tp === 1) return g;
  const split = g.role === 'linear' || g.role === 'expert' || g.role === 'embedding' || g.role === 'lm_head' || (g.role === 'bias' && !ROW_PARALLEL.has(g.module ?? ''));
  if (!split) return g;
  const numel = Math.ceil(g.numel / tp);
  if (!g.shape) return { ...g, numel };
  const [out, inp] = g.shape;
  const rowParallel = ROW_PARALLEL.has(g.module ?? '') && g.role !== 'embedding' && g.role !== 'lm_head';
  const shape: [number, number] = rowParallel ? [out, Math.ceil(inp / tp)] : [Math.ceil(out / tp), inp];
  return { ...g, numel: shape[0] * shape[1], shape };
}

function splitForEp(g: TensorGroup, ep: number): TensorGroup {
  if (ep === 1 || g.role !== 'expert') return g;
  const count = Math.ceil(g.count / ep);
  return { ...g, count, ...(g.activeCount !== undefined ? { activeCount: Math.min(g.activeCount, count) } : {}) };
}

export interface StageSlice {
  /** Index of the stage's first layer, and its layer count. */
  firstLayer: number;
  layers: number;
  first: boolean;
  last: boolean;
}

function stageGroups(spec: ModelSpec, stage: StageSlice): TensorGroup[] {
  const groups: TensorGroup[] = [];
  for (const g of spec.tensors) {
    if (isPerLayer(g)) {
      const count = Math.round((g.count * stage.layers) / spec.layers);
      if (count > 0) groups.push({ ...g, count, ...(g.activeCount !== undefined ? { activeCount: Math.round((g.activeCount * stage.layers) / spec.layers) } : {}) });
    } else if (g.role === 'embedding' || (g.role === 'other' && /pos|wpe/.test(g.name))) {
      if (stage.first) groups.push(g);
    } else if (stage.last) groups.push(g);
  }
  if (stage.last && !stage.first && spec.tiedEmbeddings) {
    groups.push({ name: 'lm_head.weight (tied copy on the last stage)', role: 'lm_head', numel: spec.vocab * spec.hidden, count: 1, shape: [spec.vocab, spec.hidden], module: 'lm_head' });
  }
  return groups;
}

function counts(groups: readonly TensorGroup[]): ModelSpec['params'] {
  let total = 0;
  let embedding = 0;
  let inactive = 0;
  for (const g of groups) {
    total += g.numel * g.count;
    if (g.role === 'embedding') embedding += g.numel * g.count;
    if (g.activeCount !== undefined) inactive += g.numel * (g.count - g.activeCount);
  }
  return { total, embedding, active: total - inactive };
}

export interface RankDegrees {
  tp: number;
  ep: number;
}

/** The spec one rank of `stage` holds under tensor and expert parallelism. */
export function rankSpec(spec: ModelSpec, degrees: RankDegrees, stage: StageSlice): ModelSpec {
  const { tp, ep } = degrees;
  const pipelined = stage.layers !== spec.layers;
  const groups = (pipelined ? stageGroups(spec, stage) : spec.tensors).map((g) => splitForEp(splitForTp(g, tp), ep));
  const layerKinds: LayerSpec[] = spec.layerKinds.slice(stage.firstLayer, stage.firstLayer + stage.layers);
  const moe = spec.moe && {
    ...spec.moe,
    expertIntermediate: Math.ceil(spec.moe.expertIntermediate / tp),
    sharedIntermediate: Math.ceil(spec.moe.sharedIntermediate / tp),
    denseLayers: layerKinds.filter((l) => !l.moe).length,
  };
  return {
    ...spec,
    layers: stage.layers,
    heads: spec.heads / tp,
    kvHeads: Math.max(1, Math.ceil(spec.kvHeads / tp)),
    vocab: Math.ceil(spec.vocab / tp),
    intermediate: Math.ceil(spec.intermediate / tp),
    tiedEmbeddings: spec.tiedEmbeddings && !pipelined,
    layerKinds,
    moe,
    tensors: groups,
    params: counts(groups),
  };
}
