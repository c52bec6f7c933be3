import type { Term, TermId, Where } from '../types.ts';

export interface TermInit {
  id: TermId;
  label: string;
  formula: string;
  inputs: Record<string, number>;
  source: string;
  /** Plain text, or a function that builds it on first read (notes that list an inventory are costly to build). */
  note?: string | (() => string);
  where?: Where;
}

/** A term whose bytes were computed in TypeScript; `formula` over `inputs` must give the same number (tested). */
export function makeTerm(init: TermInit, bytes: number): Term {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`term ${init.id}: invalid byte count ${bytes}`);
  const note = init.note;
  if (typeof note === 'function') {
    let text: string | undefined;
    return {
      id: init.id,
      label: init.label,
      bytes: Math.round(bytes),
      where: init.where ?? 'gpu',
      formula: init.formula,
      inputs: init.inputs,
      source: init.source,
      get note() {
        return (text ??= note());
      },
    };
  }
  const t: Term = {
    id: init.id,
    label: init.label,
    bytes: Math.round(bytes),
    where: init.where ?? 'gpu',
    formula: init.formula,
    inputs: init.inputs,
    source: init.source,
  };
  if (note) t.note = note;
  return t;
}

export function sumBytes(terms: readonly Term[]): number {
  let s = 0;
  for (const t of terms) s += t.bytes;
  return s;
}
