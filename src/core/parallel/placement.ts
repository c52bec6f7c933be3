/**
 * Where each training state lives, per rank: for parameters, gradients and optimizer states, over how many ranks it
 * is sharded and on which device. Terms are placed by the plan, never by an `if` inside a term. Today the engine
 * runs one rank with everything on the GPU (the trivial plan); sharding (ZeRO/FSDP) and offload are plans too.
 */
import type { Term, Where } from '../types.ts';
import { makeTerm } from '../memory/term.ts';

export type StateKind = 'params' | 'grads' | 'optimizer';

export interface Placement {
  /** Ranks the state is divided over (1 = replicated on every rank). */
  over: number;
  device: Where;
}

export type PlacementPlan = Readonly<Record<StateKind, Placement>>;

export const SINGLE_GPU_PLAN: PlacementPlan = {
  params: { over: 1, device: 'gpu' },
  grads: { over: 1, device: 'gpu' },
  optimizer: { over: 1, device: 'gpu' },
};

/** One rank's share of a state term on its device: ceil(bytes / over), the formula divided the same way. */
export function placeTerm(term: Term, placement: Placement): Term {
  if (placement.over === 1 && placement.device === term.where) return term;
  if (placement.over === 1) return { ...term, where: placement.device };
  return makeTerm(
    {
      id: term.id,
      label: term.label,
      formula: `ceil((${term.formula}) / shards)`,
      inputs: { ...term.inputs, shards: placement.over },
      source: term.source,
      note: `${term.note ? `${term.note}; ` : ''}sharded over ${placement.over} ranks`,
      where: placement.device,
    },
    Math.ceil(term.bytes / placement.over),
  );
}
