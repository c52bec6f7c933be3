/** Reads a config.json from disk for the CLI: size limit, JSON errors with line and column. */
import { printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parsePythonJsonTree, treeValue } from '../parsers/python-json.ts';
import { MAX_FILE_BYTES } from '../parsers/types.ts';
import { FileReadError, readBoundedText } from '../shared/read-file.ts';

/** The limit shared with the extension (parsers/types.ts). */
export const MAX_CONFIG_BYTES = MAX_FILE_BYTES;

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
  let root;
  try {
    root = parsePythonJsonTree(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: false });
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  if (errors.length > 0) {
    const e = errors[0]!;
    const { line, column } = lineCol(text, e.offset);
    throw new InputError(`${file}:${line}:${column}: malformed JSON (${printParseErrorCode(e.error)})`);
  }
  return root ? treeValue(root) : undefined;
}

/** A file's text through the shared bounded reader (regular files only, at most MAX_FILE_BYTES); InputError otherwise. */
export function readTextFile(file: string): string {
  try {
    return readBoundedText(file);
  } catch (e) {
    if (e instanceof FileReadError) throw new InputError(e.message);
    throw e;
  }
}

export function readConfigFile(file: string): unknown {
  return parseJsonText(readTextFile(file), file);
}
