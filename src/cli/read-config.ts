/** Reads a config.json from disk for the CLI: size limit, JSON errors with line and column. */
import { readFileSync, statSync } from 'node:fs';
import { printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parsePythonJsonTree, treeValue } from '../parsers/python-json.ts';

export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Parses JSON text (Python's Infinity / -Infinity / NaN allowed); throws InputError "<file>:<line>:<col>: <problem>" on the first syntax error. */
export function parseJsonText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const root = parsePythonJsonTree(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    const { line, column } = lineCol(text, e.offset);
    throw new InputError(`${file}:${line}:${column}: malformed JSON (${printParseErrorCode(e.error)})`);
  }
  return root ? treeValue(root) : undefined;
}

export function readConfigFile(file: string): unknown {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError(`${file}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new InputError(`${file}: file is ${(size / 2 ** 20).toFixed(1)} MiB; a model config is at most ${MAX_CONFIG_BYTES / 2 ** 20} MiB`);
  }
  const text = readFileSync(file, 'utf8');
  return parseJsonText(text, file);
}
