/** What a runtime's composition hands back to estimateSpec: the phases of a step, and shared overhead terms. */
import type { Term } from './types.ts';
import type { Estimate } from './report.ts';
import type { RuntimeProfile } from './runtime.ts';
import { makeTerm } from './memory/term.ts';

export interface Phase {
  name: string;
  terms: Term[];
}

export interface Composition {
  phases: Phase[];
  persistentIds: Set<string>;
  trainable: number;
  kvPerToken: number;
  /** Runtimes that reserve memory beyond the live peak by design (vLLM's profile run). */
  reserveBytes?: number;
  /** Runtimes with their own fit rule (vLLM: one full-length request must fit the KV pool). */
  fits?: boolean;
  serving?: NonNullable<Estimate['memory']['serving']>;
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
