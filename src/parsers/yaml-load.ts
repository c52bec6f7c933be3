/**
 * YAML as PyYAML (what axolotl and LLaMA-Factory use) loads it: aliases (`micro_batch_size: *n`) and merge keys
 * (`<<: *defaults`) resolved, with limits that keep a hostile file cheap: nesting depth, alias expansion (billion
 * laughs), and the number of syntax errors reported.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ZERO_RANGE, type ParseIssue, type Range } from './types.ts';

/** Deepest nesting of YAML or JSON a workspace file may have (real configs nest 3–4 deep). */
export const MAX_DEPTH = 64;
/** Alias nodes one document may expand (PyYAML has no limit; a config needs a handful). */
export const MAX_ALIASES = 100;
/** Syntax errors reported per file; the rest are summarized in one line. */
export const MAX_ERRORS = 20;

/**
 * The deepest nesting of brackets and braces outside strings and comments (flow style), and of indentation (block
 * style, counted in steps of the indentation seen), whichever is larger. Linear, no recursion.
 */
export function nestingDepth(text: string, yaml: boolean): number {
  let depth = 0;
  let max = 0;
  let quote: string | null = null;
  let lineStart = true;
  const indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      else if (c === '\n' && quote === "'" && !yaml) quote = null;
      continue;
    }
    if (yaml && lineStart) {
      let j = i;
      while (text[j] === ' ' || text[j] === '-') j++;
      if (text[j] !== '\n' && text[j] !== '#' && j < text.length) {
        const ind = j - i;
        while (indents.length && indents[indents.length - 1]! >= ind) indents.pop();
        indents.push(ind);
        max = Math.max(max, indents.length);
      }
    }
    lineStart = c === '\n';
    if (c === '"' || (c === "'" && yaml)) quote = c;
    else if (c === '#' && yaml) {
      while (i < text.length && text[i] !== '\n') i++;
      lineStart = true;
    } else if (c === '[' || c === '{') max = Math.max(max, ++depth + indents.length);
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return max;
}

export interface LoadedYaml {
  doc: Document.Parsed;
  /** The document as PyYAML loads it (aliases and merge keys resolved); null when it could not be loaded. */
  value: unknown;
  range: (a: number, b: number) => Range;
}

/** Parses and loads YAML text; problems go to `errors` (at most MAX_ERRORS syntax errors, then one line). */
export function loadYaml(text: string, errors: ParseIssue[], keepSourceTokens = false): LoadedYaml | null {
  const depth = nestingDepth(text, true);
  if (depth > MAX_DEPTH) {
    errors.push({ message: `YAML nested ${depth} levels deep; LLM Footprint reads at most ${MAX_DEPTH} (a limit against hostile files). Not read.`, severity: 'error', range: ZERO_RANGE });
    return null;
  }
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, keepSourceTokens, prettyErrors: false, uniqueKeys: false, merge: true });
  } catch (e) {
    errors.push({ message: `Could not parse YAML: ${(e as Error).message}`, severity: 'error', range: ZERO_RANGE });
    return null;
  }
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line - 1, character: p.col - 1 };
  };
  const range = (a: number, b: number): Range => ({ start: pos(a), end: pos(b) });
  for (const e of doc.errors.slice(0, MAX_ERRORS)) {
    const p = pos(e.pos[0]);
    errors.push({ message: `YAML syntax error at line ${p.line + 1}, column ${p.character + 1}: ${e.message.split('\n')[0]}`, severity: 'error', range: range(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)) });
  }
  if (doc.errors.length > MAX_ERRORS) {
    errors.push({ message: `${doc.errors.length - MAX_ERRORS} more YAML syntax errors not shown (at most ${MAX_ERRORS} per file).`, severity: 'error', range: ZERO_RANGE });
  }
  if (doc.errors.length) return { doc, value: null, range };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const msg = (e as Error).message;
    errors.push({
      message: /alias/i.test(msg) ? `YAML aliases expand too far (${msg.split('\n')[0]}); LLM Footprint expands at most ${MAX_ALIASES} (a limit against "billion laughs"). Not read.` : `Could not load YAML: ${msg.split('\n')[0]}`,
      severity: 'error',
      range: ZERO_RANGE,
    });
    return { doc, value: null, range };
  }
  return { doc, value, range };
}
