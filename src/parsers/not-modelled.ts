/**
 * Keys and options whose memory effect is not modelled yet (sharding, quantized bases, other optimizers …): each
 * parser keeps a table of them, and every one is reported the same way, naming what it is and what the estimate
 * assumes instead.
 */
import type { ParseIssue, Range } from './types.ts';

export interface NotModelled {
  /** "FSDP sharding is", "4-bit base weights (QLoRA) are". */
  what: string;
  /** What the estimate does instead: "the estimate is for one GPU". */
  assumes?: string;
  severity?: 'warning' | 'info';
}

/** "fsdp: FSDP sharding is not modelled yet; the estimate is for one GPU without sharding." */
export function notModelledIssue(key: string, shownAs: string, range: Range, n: NotModelled): ParseIssue {
  return { message: `${shownAs}: ${n.what} not modelled yet${n.assumes ? `; ${n.assumes}` : ''}.`, severity: n.severity ?? 'warning', range, key };
}
