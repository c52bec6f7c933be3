/** Readers of single values at a key, shared by the workspace-file parsers, and the one wording of their errors. */
import type { ParseIssue } from './types.ts';

/** A value as a message shows it: numbers as numbers (1e+308, NaN), everything else as JSON. */
export const shownValue = (v: unknown): string =>
  v === undefined ? 'missing' : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'a value');

/** 1048576 → "1,048,576" (limits in messages). */
export const shownLimit = (n: number): string => n.toLocaleString('en-US');

/**
 * Why a value is not a whole number in [min, max], as `<key>: <value> is larger than <max>` and the like; null when
 * it is one. Every parser says it this way, so a message names the key, the value and the limit (the caller's range
 * gives the line; the CLI prefixes `file:line`).
 */
export function countProblem(key: string, v: unknown, min: number, max: number, written: unknown = v): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return null;
  const s = shownValue(written);
  if (typeof v === 'number' && v > max) return `${key}: ${s} is larger than ${shownLimit(max)}`;
  if (typeof v === 'number' && v < min) return `${key}: ${s} is smaller than ${shownLimit(min)}`;
  return `${key}: ${s} is not a whole number from ${shownLimit(min)} to ${shownLimit(max)}`;
}

/**
 * A positive whole number at a key, at most `max` (also written as a numeric string), else a warning at its value
 * naming the key, the value and the limit.
 */
export function positiveInt(e: { key: string; loc: { value: unknown; valueRange: ParseIssue['range'] } } | undefined, errors: ParseIssue[], max: number): number | undefined {
  if (!e) return undefined;
  const v = e.loc.value;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  const problem = countProblem(e.key, n, 1, max, v);
  if (problem === null) return n as number;
  errors.push({ message: `${problem}; ignored.`, severity: 'warning', range: e.loc.valueRange, key: e.key });
  return undefined;
}
