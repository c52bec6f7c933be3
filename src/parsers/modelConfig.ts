/**
 * Hugging Face `config.json` → the parsed object plus the position of every key and value.
 * Tolerant: comments and trailing commas are accepted (JSONC), and Python's Infinity / -Infinity / NaN; malformed
 * JSON gives errors with their position
 * and whatever could be recovered.
 */
import { printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { parsePythonJsonTree } from './python-json.ts';
import { LineIndex } from './positions.ts';
import { MAX_FILE_BYTES, ZERO_RANGE, type KeyLocation, type ModelConfigFile, type ParseIssue, type ParseResult } from './types.ts';

const MAX_DEPTH = 3;

/** Whether a parsed JSON object looks like a model config (has model_type or architectures). */
export function looksLikeModelConfig(obj: unknown): boolean {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return false;
  const o = obj as Record<string, unknown>;
  return typeof o['model_type'] === 'string' || Array.isArray(o['architectures']);
}

export function parseModelConfig(text: string): ParseResult<ModelConfigFile> {
  if (text.length > MAX_FILE_BYTES) {
    return { value: null, errors: [{ message: `File is larger than ${MAX_FILE_BYTES / 1024} KiB, the limit for a file LLM Footprint reads; skipped.`, severity: 'info', range: ZERO_RANGE }] };
  }
  const idx = new LineIndex(text);
  const errors: ParseIssue[] = [];
  const raw: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parsePythonJsonTree(text, raw, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  } catch (e) {
    return { value: null, errors: [{ message: `Could not parse JSON: ${(e as Error).message}`, severity: 'error', range: ZERO_RANGE }] };
  }
  for (const r of raw) {
    const p = idx.position(r.offset);
    errors.push({
      message: `JSON syntax error: ${describe(printParseErrorCode(r.error))} at line ${p.line + 1}, column ${p.character + 1}`,
      severity: 'error',
      range: idx.range(r.offset, r.offset + Math.max(1, r.length)),
    });
  }
  if (!root || root.type !== 'object') {
    if (errors.length === 0) errors.push({ message: 'A model config must be a JSON object.', severity: 'error', range: ZERO_RANGE });
    return { value: null, errors };
  }
  const keys: KeyLocation[] = [];
  const config = toValue(root, '', keys, idx, 0) as Record<string, unknown>;
  return { value: { kind: 'model-config', config, keys }, errors };
}

function describe(code: string): string {
  // InvalidSymbol → invalid symbol
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function toValue(node: Node, prefix: string, keys: KeyLocation[], idx: LineIndex, depth: number): unknown {
  switch (node.type) {
    case 'object': {
      // No prototype: `"__proto__"` is an ordinary unknown key, not the prototype of the config.
      const out = Object.create(null) as Record<string, unknown>;
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || typeof k.value !== 'string') continue;
        const name = k.value;
        const path = prefix ? `${prefix}.${name}` : name;
        const value = v ? toValue(v, path, keys, idx, depth + 1) : null;
        out[name] = value;
        if (depth < MAX_DEPTH) {
          keys.push({
            key: path,
            keyRange: idx.range(k.offset, k.offset + k.length),
            valueRange: v ? idx.range(v.offset, v.offset + v.length) : idx.range(k.offset + k.length, k.offset + k.length),
            value,
          });
        }
      }
      return out;
    }
    case 'array':
      // Elements keyed by index (block_configs[3].attention), so an error inside one points at its line.
      return (node.children ?? []).map((c, i) => toValue(c, `${prefix}[${i}]`, keys, idx, depth + 1));
    default:
      return node.value ?? null;
  }
}
