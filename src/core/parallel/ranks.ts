/**
 * The distinct kinds of rank in a world: with data, tensor, expert and context parallelism every rank holds the
 * same; a pipeline adds its first stage (embedding, the most micro-batches in flight), its middle stages (the most
 * loaded of them, stage 1, stands for all) and its last stage (final norm, lm_head, loss). A 64-rank estimate
 * costs what a one-GPU estimate costs: one composition per kind, never per rank.
 */
import type { ModelSpec } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import type { ParallelLayout } from '../report.ts';
import { rankSpec, stageLayerCounts } from './rank-view.ts';

export interface RankKind {
  name: string;
  count: number;
  spec: ModelSpec;
  first: boolean;
  last: boolean;
  microBatchesInFlight: number;
}

/** Micro-batches stage `index` holds under 1F1B: min(pp − index, micro-batches per step), or the user's count on stage 0. */
function inFlight(sc: Scenario, index: number): number {
  const perStep = sc.gradAccumulation;
  if (index === 0 && sc.ppMicroBatches !== null) return sc.ppMicroBatches;
  return Math.max(1, Math.min(sc.pp - index, perStep));
}

export function rankKinds(spec: ModelSpec, sc: Scenario, layout: ParallelLayout): RankKind[] {
  const degrees = { tp: layout.tp, ep: layout.ep };
  if (layout.pp === 1) {
    const whole = { firstLayer: 0, layers: spec.layers, first: true, last: true };
    return [{ name: layout.gpus > 1 ? 'every rank' : 'the GPU', count: layout.gpus, spec: rankSpec(spec, degrees, whole), first: true, last: true, microBatchesInFlight: 1 }];
  }
  const layers = stageLayerCounts(spec.layers, layout.pp);
  const perStage = layout.gpus / layout.pp;
  const stage = (index: number) => {
    const firstLayer = layers.slice(0, index).reduce((a, b) => a + b, 0);
    const slice = { firstLayer, layers: layers[index]!, first: index === 0, last: index === layout.pp - 1 };
    return { spec: rankSpec(spec, degrees, slice), first: slice.first, last: slice.last, microBatchesInFlight: inFlight(sc, index) };
  };
  const kinds: RankKind[] = [{ name: 'pipeline stage 0 (embedding)', count: perStage, ...stage(0) }];
  if (layout.pp > 2) kinds.push({ name: `pipeline stages 1–${layout.pp - 2} (stage 1 shown)`, count: perStage * (layout.pp - 2), ...stage(1) });
  kinds.push({ name: `pipeline stage ${layout.pp - 1} (lm_head, loss)`, count: perStage, ...stage(layout.pp - 1) });
  return kinds;
}
