/** Readers of single values at a key, shared by the workspace-file parsers. */
import type { ParseIssue } from './types.ts';

/** A positive whole number at a key (also written as a numeric string), else a warning at its value. */
export function positiveInt(e: { key: string; loc: { value: unknown; valueRange: ParseIssue['range'] } } | undefined, errors: ParseIssue[]): number | undefined {
  if (!e) return undefined;
  const v = e.loc.value;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
  errors.push({ message: `${e.key}: expected a positive whole number, got ${JSON.stringify(v)}; ignored.`, severity: 'warning', range: e.loc.valueRange, key: e.key });
  return undefined;
}
