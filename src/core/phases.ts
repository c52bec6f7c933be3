/**
 * The phases of a step as data: each phase lists, in order, the slots of the terms alive during it. A composer
 * fills the slots it has (a slot may hold several terms, or none); a phase is kept only when the slots it
 * requires are filled. A new term is one more slot in a row.
 */
import type { Term } from './types.ts';
import type { Estimate } from './report.ts';
import type { RuntimeProfile } from './runtime.ts';
import { makeTerm } from './memory/term.ts';

export interface Phase {
  name: string;
  terms: Term[];
}

export interface PhaseRule<S extends string> {
  name: string;
  live: readonly S[];
  /** Kept only when every one of these slots holds a term. */
  requires?: readonly S[];
  /** Kept only when none of these slots holds a term. */
  unless?: readonly S[];
}

export type Slots<S extends string> = Partial<Record<S, Term | readonly Term[] | null>>;

function has<S extends string>(slots: Slots<S>, slot: S): boolean {
  const v = slots[slot];
  return Array.isArray(v) ? v.length > 0 : !!v;
}

function kept<S extends string>(rule: PhaseRule<S>, slots: Slots<S>): boolean {
  for (const s of rule.requires ?? []) if (!has(slots, s)) return false;
  for (const s of rule.unless ?? []) if (has(slots, s)) return false;
  return true;
}

/** The phases whose conditions hold, each with the terms of its live slots in the row's order. */
export function composePhases<S extends string>(rules: readonly PhaseRule<S>[], slots: Slots<S>): Phase[] {
  const phases: Phase[] = [];
  for (const rule of rules) {
    if (!kept(rule, slots)) continue;
    const terms: Term[] = [];
    for (const slot of rule.live) {
      const v = slots[slot];
      if (Array.isArray(v)) for (const t of v as readonly Term[]) terms.push(t);
      else if (v) terms.push(v as Term);
    }
    phases.push({ name: rule.name, terms });
  }
  return phases;
}

export interface Composition {
  phases: Phase[];
  persistentIds: ReadonlySet<Term['id']>;
  trainable: number;
  kvPerToken: number;
  /** Runtimes that reserve memory beyond the live peak by design (vLLM's profile run). Every composition sets the
   * optional fields (undefined when they do not apply), so compositions share one shape. */
  reserveBytes: number | undefined;
  /** Runtimes with their own fit rule (vLLM: one full-length request must fit the KV pool). */
  fits: boolean | undefined;
  serving: NonNullable<Estimate['memory']['serving']> | undefined;
}

export function workspaceTerm(rt: RuntimeProfile, threads: number): Term {
  return makeTerm(
    {
      id: 'cuda_workspace',
      label: 'cuBLAS workspaces',
      formula: 'threads * workspace_bytes',
      inputs: { threads, workspace_bytes: rt.matmulWorkspaceBytes },
      source: rt.source,
      note: threads > 1 ? 'one per thread that runs matmuls (forward and autograd)' : 'allocated at the first matmul',
    },
    threads * rt.matmulWorkspaceBytes,
  );
}
