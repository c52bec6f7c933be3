import type { Term, TermId, Where } from '../types.ts';

export interface TermInit {
  id: TermId;
  label: string;
  formula: string;
  inputs: Record<string, number>;
  source: string;
  note?: string;
  where?: Where;
}

/** A term whose bytes were computed in TypeScript; `formula` over `inputs` must give the same number (tested). */
export function makeTerm(init: TermInit, bytes: number): Term {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`term ${init.id}: invalid byte count ${bytes}`);
  const t: Term = {
    id: init.id,
    label: init.label,
    bytes: Math.round(bytes),
    where: init.where ?? 'gpu',
    formula: init.formula,
    inputs: init.inputs,
    source: init.source,
    note: init.note,
  };
  return t;
}

export function sumBytes(terms: readonly Term[]): number {
  let s = 0;
  for (const t of terms) s += t.bytes;
  return s;
}
