/** A YAML mapping with the position of every key, nested keys by dotted path (`fsdp_config.fsdp_version`). */
import { LineCounter, isMap, isScalar, parseDocument, type Node as YamlNode } from 'yaml';
import { ZERO_RANGE, type KeyLocation, type ParseIssue, type Range } from './types.ts';

export interface YamlTree {
  root: Record<string, unknown>;
  keys: KeyLocation[];
}

/** Parses YAML text; null (with errors) when it is not a mapping or does not parse. */
export function parseYamlTree(text: string, errors: ParseIssue[], maxDepth = 2): YamlTree | null {
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    errors.push({ message: `Could not parse YAML: ${(e as Error).message}`, severity: 'error', range: ZERO_RANGE });
    return null;
  }
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line - 1, character: p.col - 1 };
  };
  const range = (a: number, b: number): Range => ({ start: pos(a), end: pos(b) });
  for (const e of doc.errors) {
    const p = pos(e.pos[0]);
    errors.push({ message: `YAML syntax error at line ${p.line + 1}, column ${p.character + 1}: ${e.message.split('\n')[0]}`, severity: 'error', range: range(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)) });
  }
  if (doc.errors.length || !isMap(doc.contents)) return null;
  const keys: KeyLocation[] = [];
  const walk = (node: YamlNode, prefix: string, depth: number) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (!isScalar(k) || !k.range) continue;
      const path = prefix ? `${prefix}.${String(k.value)}` : String(k.value);
      const v = pair.value as YamlNode | null;
      let value: unknown;
      try {
        value = v ? (v as { toJSON(): unknown }).toJSON() : null;
      } catch {
        value = null;
      }
      const valueRange = v?.range ? range(v.range[0], v.range[1]) : range(k.range[1], k.range[1]);
      keys.push({ key: path, keyRange: range(k.range[0], k.range[1]), valueRange, value });
      if (v && depth + 1 < maxDepth) walk(v, path, depth + 1);
    }
  };
  walk(doc.contents, '', 0);
  const root = (doc.contents.toJSON() ?? {}) as Record<string, unknown>;
  return { root, keys };
}
