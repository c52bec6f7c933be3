/**
 * The bundled catalog of popular models' configs (architecture keys only; `hub-catalog-data.ts`, generated from
 * scripts/hub-catalog/manifest.ts) and its lookup: an exact Hub id (without case), else a name that contains a catalog
 * model's name — a re-upload (`casperhansen/llama-3-70b-fp16`) or a fine-tune named after its base. Pure; no I/O.
 */
import { CATALOG } from './hub-catalog-data.ts';

export interface CatalogEntry {
  /** Hub ids, canonical first (instruct/chat variants with the same architecture keys share an entry). */
  ids: readonly string[];
  /** Where the config comes from. */
  source: string;
  config: Record<string, unknown>;
}

export interface CatalogMatch {
  entry: CatalogEntry;
  /** The catalog id matched. */
  id: string;
  /** The name looked up. */
  query: string;
  /** The id itself (without case); false for a match by name. */
  exact: boolean;
}

/** Tokens that name a format, a quantization or an uploader's habit, not an architecture. */
const NOISE = new Set([
  'meta', 'hf', 'fp16', 'bf16', 'fp32', 'fp8', 'awq', 'gptq', 'gguf', 'ggml', 'exl2', 'mlx', 'int4', 'int8', '4bit', '8bit',
  'bnb', 'nf4', 'w4a16', 'w8a8', 'w8a16', 'unsloth', 'dynamic', 'quantized', 'safetensors', 'sharded', 'original',
]);
/** A size or shape token the match must account for (8b, 70b, 8x7b, a3b, 0.5b, 135m, xl, large, medium). */
const SIZE = /^(\d+(x\d+)?[bm]|a\d+b|e\d+|xl|xxl|large|medium)$/;

export function nameTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter((t) => t && !NOISE.has(t));
}

interface Indexed {
  entry: CatalogEntry;
  id: string;
  tokens: string[];
}

let index: { byId: Map<string, Indexed>; byName: Map<string, Indexed[]>; all: Indexed[] } | null = null;

function getIndex() {
  if (index) return index;
  const byId = new Map<string, Indexed>();
  const byName = new Map<string, Indexed[]>();
  const all: Indexed[] = [];
  for (const entry of CATALOG) {
    for (const id of entry.ids) {
      const name = id.split('/').pop()!;
      const x: Indexed = { entry, id, tokens: nameTokens(name) };
      byId.set(id.toLowerCase(), x);
      const list = byName.get(name.toLowerCase()) ?? [];
      list.push(x);
      byName.set(name.toLowerCase(), list);
      all.push(x);
    }
  }
  return (index = { byId, byName, all });
}

/** Whether `needle` occurs in `hay` as a contiguous run; returns its start or -1. */
function findRun(hay: readonly string[], needle: readonly string[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * `Qwen/Qwen3-8B` (any case) → that entry. A bare name (`Qwen3-8B`) matches the id whose name it is. Otherwise the
 * catalog model whose name tokens occur, in order, in the query's name (format and quantization tokens ignored), the
 * longest such name winning, and only when every size token of the query (8b, 8x7b, a3b, xl, xxl…) is part of it — so
 * `casperhansen/llama-3-70b-fp16` → Meta-Llama-3-70B, and `gpt2-xl` never falls back to `gpt2`.
 */
export function catalogLookup(query: string): CatalogMatch | null {
  const q = query.trim();
  if (!q) return null;
  const ix = getIndex();
  const exact = ix.byId.get(q.toLowerCase());
  if (exact) return { entry: exact.entry, id: exact.id, query: q, exact: true };
  const name = q.split('/').pop()!;
  if (!q.includes('/')) {
    const named = ix.byName.get(name.toLowerCase());
    if (named?.length) return { entry: named[0]!.entry, id: named[0]!.id, query: q, exact: true };
  }
  const tokens = nameTokens(name);
  if (!tokens.length) return null;
  let best: { x: Indexed; at: number } | null = null;
  for (const x of ix.all) {
    if (!x.tokens.length || x.tokens.length > tokens.length) continue;
    const at = findRun(tokens, x.tokens);
    if (at < 0) continue;
    const covered = new Set(tokens.slice(at, at + x.tokens.length).map((_, k) => at + k));
    if (tokens.some((t, k) => SIZE.test(t) && !covered.has(k))) continue;
    if (!x.tokens.some((t) => SIZE.test(t)) && tokens.some((t) => SIZE.test(t))) continue;
    if (!best || x.tokens.length > best.x.tokens.length || (x.tokens.length === best.x.tokens.length && at < best.at)) best = { x, at };
  }
  return best ? { entry: best.x.entry, id: best.x.id, query: q, exact: false } : null;
}

/** Every catalog id (for tests and the README). */
export function catalogIds(): string[] {
  return getIndex().all.map((x) => x.id);
}
