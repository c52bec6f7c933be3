/** A YAML mapping with the position of every key, nested keys by dotted path (`fsdp_config.fsdp_version`). */
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import type { KeyLocation, ParseIssue } from './types.ts';
import { loadYaml } from './yaml-load.ts';

/** A value by dotted path in the loaded document (aliases and merges resolved). */
function lookup(root: Record<string, unknown>, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, part)) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur ?? null;
}

export interface YamlTree {
  root: Record<string, unknown>;
  keys: KeyLocation[];
}

/** Parses YAML text; null (with errors) when it is not a mapping or does not parse. */
export function parseYamlTree(text: string, errors: ParseIssue[], maxDepth = 2): YamlTree | null {
  const loaded = loadYaml(text, errors);
  if (!loaded || loaded.value === null) return null;
  const { doc, range } = loaded;
  if (!isMap(doc.contents)) return null;
  const rootValue = loaded.value as Record<string, unknown>;
  const keys: KeyLocation[] = [];
  const walk = (node: YamlNode, prefix: string, depth: number) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (!isScalar(k) || !k.range) continue;
      const path = prefix ? `${prefix}.${String(k.value)}` : String(k.value);
      const v = pair.value as YamlNode | null;
      const value = lookup(rootValue, path);
      const valueRange = v?.range ? range(v.range[0], v.range[1]) : range(k.range[1], k.range[1]);
      keys.push({ key: path, keyRange: range(k.range[0], k.range[1]), valueRange, value });
      if (v && depth + 1 < maxDepth) walk(v, path, depth + 1);
    }
  };
  walk(doc.contents, '', 0);
  return { root: rootValue, keys };
}
