/**
 * JSON as Python's `json.dumps` writes it: `Infinity`, `-Infinity` and `NaN` are allowed as values (Nemotron-H's
 * `time_step_limit: [0.0, Infinity]`). jsonc-parser rejects them, so they are masked with numbers of the same length
 * before parsing (every offset, hence every hover position, stays), and the real values are put back by offset.
 * A non-finite value that matters is rejected later by the engine, naming its key.
 */
import { parseTree, type Node, type ParseError, type ParseOptions } from 'jsonc-parser';
import { MAX_DEPTH, nestingDepth } from './yaml-load.ts';

const TOKENS: readonly [string, number, string][] = [
  ['-Infinity', -Infinity, '-0e000000'],
  ['Infinity', Infinity, '0e000000'],
  ['NaN', NaN, '0e0'],
];

export interface MaskedJson {
  /** The text with each non-finite literal replaced by a number of the same length. */
  text: string;
  /** Offset of a masked literal → its value. */
  specials: Map<number, number>;
}

const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$.+-]/.test(c);

/** Masks Infinity, -Infinity and NaN outside strings and comments. */
export function maskNonFinite(text: string): MaskedJson {
  const specials = new Map<number, number>();
  if (!/Infinity|NaN/.test(text)) return { text, specials };
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else {
      const hit = isWord(text[i - 1]) ? undefined : TOKENS.find(([t]) => text.startsWith(t, i) && !isWord(text[i + t.length]));
      if (hit) {
        out += text.slice(last, i) + hit[2];
        specials.set(i, hit[1]);
        i += hit[0].length;
        last = i;
      } else i++;
    }
  }
  return { text: out + text.slice(last), specials };
}

/** parseTree over Python-style JSON; number nodes of masked literals carry their real value. */
export function parsePythonJsonTree(text: string, errors: ParseError[], options: ParseOptions): Node | undefined {
  const depth = nestingDepth(text, false);
  if (depth > MAX_DEPTH) throw new Error(`JSON nested ${depth} levels deep; LLM Footprint reads at most ${MAX_DEPTH} (a limit against hostile files)`);
  const masked = maskNonFinite(text);
  const root = parseTree(masked.text, errors, options);
  if (root && masked.specials.size > 0) restore(root, masked.specials);
  return root;
}

function restore(node: Node, specials: Map<number, number>): void {
  if (node.type === 'number' && specials.has(node.offset)) (node as { value: unknown }).value = specials.get(node.offset);
  for (const c of node.children ?? []) restore(c, specials);
}

/**
 * The plain value of a parse tree (objects, arrays, literals); later duplicate keys win, as in JSON.parse. Objects
 * have no prototype, so `"__proto__"` is an ordinary key of its own (as Python's json reads it), never the object's
 * prototype.
 */
export function treeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out = Object.create(null) as Record<string, unknown>;
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && typeof k.value === 'string') out[k.value] = v ? treeValue(v) : null;
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(treeValue);
    default:
      return node.value ?? null;
  }
}
