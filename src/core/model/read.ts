/**
 * Typed, validated access to one config.json object. Every read names its key in the error it throws, so a
 * diagnostic can point at the line. Sizes are capped so that byte arithmetic on the result stays exact.
 */
import { isObject } from '../input-checks.ts';
import { ConfigError } from './errors.ts';

export type Json = Record<string, unknown>;

/** Upper bounds of config sizes: beyond these the config is wrong or the arithmetic would lose exactness. */
export const LIMITS = {
  hidden: 1 << 20,
  layers: 10_000,
  vocab: 1 << 24,
  heads: 1 << 16,
  headDim: 1 << 16,
  intermediate: 1 << 24,
  experts: 1 << 16,
  rank: 1 << 20,
  positions: 2 ** 40,
  window: 2 ** 40,
  /** Parameters: bytes = params × (at most 16 bytes per parameter with optimizer states) must stay below 2^53. */
  params: Math.floor(Number.MAX_SAFE_INTEGER / 16),
} as const;

export { isObject };

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

export interface IntOptions {
  /** Smallest allowed value (default 1). */
  min?: number;
}

export class ConfigReader {
  /** Things the adapter had to assume; shared by nested readers. */
  readonly assumptions: string[];

  constructor(
    readonly raw: Json,
    /** Prefix of keys in error messages, e.g. "text_config." */
    readonly prefix = '',
    assumptions?: string[],
  ) {
    this.assumptions = assumptions ?? [];
  }

  /** A reader over a nested object (gemma3 text_config), sharing the assumption list. */
  nested(key: string): ConfigReader | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    if (!isObject(v)) throw this.error(key, `must be an object, got ${show(v)}`);
    return new ConfigReader(v, this.path(key) + '.', this.assumptions);
  }

  path(key: string): string {
    return this.prefix + key;
  }

  error(key: string, what: string): ConfigError {
    return new ConfigError(`"${this.path(key)}" ${what}`, this.path(key));
  }

  has(key: string): boolean {
    const v = this.raw[key];
    return v !== undefined && v !== null;
  }

  /** The first of `keys` that is present (aliases: n_embd / hidden_size), or null. */
  private pick(keys: string | readonly string[]): string | null {
    for (const k of typeof keys === 'string' ? [keys] : keys) if (this.has(k)) return k;
    return null;
  }

  private check(key: string, v: unknown, max: number, opts?: IntOptions): number {
    const min = opts?.min ?? 1;
    if (typeof v !== 'number') throw this.error(key, `must be an integer, got ${show(v)}`);
    if (!Number.isFinite(v)) throw this.error(key, `must be a finite integer, got ${v}`);
    if (!Number.isInteger(v)) throw this.error(key, `must be an integer, got ${v}`);
    if (v < min) throw this.error(key, min === 1 ? `must be a positive integer, got ${v}` : `must be ≥ ${min}, got ${v}`);
    if (v > max) throw this.error(key, `is too large: ${v} (limit ${max})`);
    return v;
  }

  /** A required integer; the error names the first alias. */
  int(keys: string | readonly string[], max: number, opts?: IntOptions): number {
    const key = this.pick(keys);
    const first = typeof keys === 'string' ? keys : keys[0]!;
    if (key === null) throw new ConfigError(`missing required key "${this.path(first)}"`, this.path(first));
    return this.check(key, this.raw[key], max, opts);
  }

  /** An optional integer: missing or null gives `fallback`. */
  optInt<T extends number | null>(keys: string | readonly string[], fallback: T, max: number, opts?: IntOptions): number | T {
    const key = this.pick(keys);
    if (key === null) return fallback;
    return this.check(key, this.raw[key], max, opts);
  }

  /** An optional integer whose absence is worth telling: missing or null gives the class default, noted. */
  defaulted(key: string, fallback: number, max: number, cls: string, opts?: IntOptions): number {
    if (!this.has(key)) {
      this.assume(`"${this.path(key)}" missing: ${cls} default ${fallback}`);
      return fallback;
    }
    return this.check(key, this.raw[key], max, opts);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${show(v)}`);
    return v;
  }

  str(key: string): string | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw this.error(key, `must be a string, got ${show(v)}`);
    return v;
  }

  /** A list of non-negative integers (mlp_only_layers). */
  intList(key: string, max: number): number[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.error(key, `must be a list of integers, got ${show(v)}`);
    return v.map((x, i) => this.check(`${key}[${i}]`, x, max, { min: 0 }));
  }

  /** A list of strings (layer_types), or null when absent. */
  strList(key: string): string[] | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw this.error(key, `must be a list of strings, got ${show(v)}`);
    return v as string[];
  }

  assume(note: string): void {
    if (!this.assumptions.includes(note)) this.assumptions.push(note);
  }
}
