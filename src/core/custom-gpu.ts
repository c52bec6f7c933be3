/**
 * User-defined GPUs (the `llmFootprint.customGpus` setting): each entry's sizes are what the user typed ("48 GB",
 * "46068 MiB", "2 * 24 GiB", "696 GB/s", "149.7 TFLOPS") or plain numbers, read with the hardened mathjs of
 * formula.ts (no function calls, no `import`/`createUnit`: the text is checked node by node before it runs).
 * Pure and total: bad entries become messages naming the entry and the field; this never throws.
 *
 * Not exported from src/core/index.ts on purpose: mathjs is large, so the extension imports this module lazily,
 * only when the setting has entries, and the library bundle and the webview stay without it.
 */
// Through index.ts: the extension bundle maps it to dist/lib.js, so the catalog is not bundled twice.
import { GPUS, type Gpu } from './index.ts';
import { parseFlops, parseRate, parseSizeExpression } from './formula.ts';
import { isObject } from './input-checks.ts';

/** One entry of the setting, as typed in settings.json. */
export interface CustomGpuInput {
  id: string;
  name?: string;
  memory: string | number;
  bandwidth?: string | number;
  flops16?: string | number;
}

export interface CustomGpus {
  gpus: Gpu[];
  errors: string[];
}

/** Memory must be below 2^50 bytes (1 PiB); anything larger is a typo. */
export const MAX_MEMORY_BYTES = 2 ** 50;
/** Below 1 MiB the user almost surely meant a unit ("48" → "48 GB"). */
export const MIN_MEMORY_BYTES = 2 ** 20;
const MAX_ENTRIES = 200;
const MAX_TEXT = 200;
const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CATALOG = new Set(GPUS.map((g) => g.id));
const KNOWN_KEYS = new Set(['id', 'name', 'memory', 'bandwidth', 'flops16']);

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

type Read = { ok: true; value: number } | { ok: false; message: string };

/** A quantity field: a finite number as is, or text through `parse` (which throws FormulaError with a message). */
function readQuantity(v: unknown, parse: (t: string) => number, what: string): Read {
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, message: `${show(v)} is not a finite number` };
  if (typeof v !== 'string') return { ok: false, message: `must be a string like ${what} or a number, not ${show(v)}` };
  if (v.trim() === '') return { ok: false, message: `is empty; write ${what}` };
  if (v.length > MAX_TEXT) return { ok: false, message: `is longer than ${MAX_TEXT} characters` };
  try {
    const n = parse(v);
    return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `${show(v)} is not a finite value` };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : `${show(v)} could not be read` };
  }
}

/** Collects one entry's problems, each as "customGpus[i].field: …". */
class EntryErrors {
  bad = false;
  constructor(
    private readonly index: number,
    private readonly errors: string[],
  ) {}

  at(field?: string): string {
    return `customGpus[${this.index}]${field ? `.${field}` : ''}`;
  }

  /** A problem that drops the entry. */
  fail(field: string | undefined, message: string): void {
    this.errors.push(`${this.at(field)}: ${message}`);
    this.bad = true;
  }

  /** A problem worth saying that keeps the entry. */
  note(field: string, message: string): void {
    this.errors.push(`${this.at(field)}: ${message}`);
  }
}

function readId(raw: unknown, seen: Set<string>, e: EntryErrors): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    e.fail('id', `missing; give a short id like "a40-48gb"`);
    return '';
  }
  const id = raw.trim().toLowerCase();
  if (!ID_RE.test(id)) e.fail('id', `${show(raw)} must be letters, digits, ".", "_" or "-" (at most 64), like "a40-48gb"`);
  else if (CATALOG.has(id)) e.fail('id', `"${id}" is a catalog GPU; choose another id`);
  else if (seen.has(id)) e.fail('id', `"${id}" is defined twice`);
  else seen.add(id);
  return id;
}

function readName(raw: unknown, id: string, e: EntryErrors): string {
  if (raw === undefined) return id;
  if (typeof raw !== 'string' || raw.trim() === '') e.fail('name', `must be a non-empty string, not ${show(raw)}`);
  else if (raw.length > MAX_TEXT) e.fail('name', `is longer than ${MAX_TEXT} characters`);
  else return raw.trim();
  return id;
}

function readMemory(raw: unknown, e: EntryErrors): number {
  if (raw === undefined) {
    e.fail('memory', 'missing; give the memory the driver reports, like "48 GB", "46068 MiB" or a number of bytes');
    return 0;
  }
  const r = readQuantity(raw, parseSizeExpression, '"48 GB" or "46068 MiB"');
  if (!r.ok) e.fail('memory', r.message);
  else if (!(r.value > 0)) e.fail('memory', `must be more than 0 bytes, not ${show(raw)}`);
  else if (r.value >= MAX_MEMORY_BYTES) e.fail('memory', `${show(raw)} is 1 PiB (2^50 bytes) or more`);
  else if (r.value < MIN_MEMORY_BYTES) e.fail('memory', `${show(raw)} is less than 1 MiB; a plain number is bytes, so write a unit like "48 GB"`);
  else return Math.round(r.value);
  return 0;
}

/** bandwidth and flops16 are optional: 0 = unknown. */
function readOptionalRate(raw: unknown, field: 'bandwidth' | 'flops16', parse: (t: string) => number, what: string, e: EntryErrors): number {
  if (raw === undefined || raw === null) return 0;
  const r = readQuantity(raw, parse, what);
  if (!r.ok) e.fail(field, r.message);
  else if (!(r.value > 0) || r.value >= 1e21) e.fail(field, `${show(raw)} is out of range (more than 0, less than 1e21)`);
  else return r.value;
  return 0;
}

function readEntry(entry: unknown, e: EntryErrors, seen: Set<string>): Gpu | null {
  if (!isObject(entry)) {
    e.fail(undefined, `must be an object like { "id": "a40-48gb", "memory": "48 GB" }, not ${show(entry)}`);
    return null;
  }
  for (const k of Object.keys(entry)) {
    if (!KNOWN_KEYS.has(k)) e.note(k, 'unknown field (ignored); the fields are id, name, memory, bandwidth, flops16');
  }
  const id = readId(entry['id'], seen, e);
  const name = readName(entry['name'], id, e);
  const memoryBytes = readMemory(entry['memory'], e);
  const bandwidth = readOptionalRate(entry['bandwidth'], 'bandwidth', parseRate, '"696 GB/s"', e);
  const flops16 = readOptionalRate(entry['flops16'], 'flops16', parseFlops, '"149.7 TFLOPS"', e);
  if (e.bad) return null;
  return { id, name, vendor: 'custom', memoryBytes, bandwidth, flops16, source: 'llmFootprint.customGpus setting' };
}

/** Reads the setting's value; every problem is a message "customGpus[i].field: …". */
export function parseCustomGpus(value: unknown): CustomGpus {
  const gpus: Gpu[] = [];
  const errors: string[] = [];
  try {
    if (value === undefined || value === null) return { gpus, errors };
    if (!Array.isArray(value)) {
      errors.push(`customGpus: must be an array of GPUs like [{ "id": "a40-48gb", "memory": "48 GB" }], not ${show(value)}`);
      return { gpus, errors };
    }
    if (value.length > MAX_ENTRIES) errors.push(`customGpus: ${value.length} entries; only the first ${MAX_ENTRIES} are read`);
    const seen = new Set<string>();
    value.slice(0, MAX_ENTRIES).forEach((entry: unknown, i: number) => {
      const gpu = readEntry(entry, new EntryErrors(i, errors), seen);
      if (gpu) gpus.push(gpu);
    });
  } catch (e) {
    errors.push(`customGpus: could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
  return { gpus, errors };
}
