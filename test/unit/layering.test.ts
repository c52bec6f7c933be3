// The boundaries between the folders, checked on every import: the engine (src/core) stands alone and never sees
// VS Code; the webview reaches the engine and src/shared, never the extension host's modules; src/shared and the
// parsers stay free of the extension and of VS Code too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Every module a file names: static imports and re-exports, side-effect imports, dynamic import() and require(). */
export function importedSpecifiers(text: string): string[] {
  const re = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  const out: string[] = [];
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

interface Import {
  file: string;
  specifier: string;
  /** The imported file relative to the repository root, or null for a package. */
  target: string | null;
}

function importsOf(dir: string): Import[] {
  return sourceFiles(dir).flatMap((file) =>
    importedSpecifiers(readFileSync(path.join(ROOT, file), 'utf8')).map((specifier) => ({
      file,
      specifier,
      target: specifier.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)) : null,
    })),
  );
}

const inside = (target: string, dir: string) => target === dir || target.startsWith(dir + path.sep);
const show = (xs: Import[]) => xs.map((i) => `${i.file}: '${i.specifier}'`).join('\n');

test('the import scanner sees every form of import', () => {
  const text = [
    `import { a } from '../x.ts';`,
    `import type { B } from "./y.ts";`,
    `export { c } from '../z.ts';`,
    `export * from './w.ts';`,
    `import './side.ts';`,
    `const m = await import('vscode');`,
    `import {\n  d,\n  e,\n} from '../../src/extension/analysis.ts';`,
  ].join('\n');
  assert.deepEqual(importedSpecifiers(text), ['../x.ts', './y.ts', '../z.ts', './w.ts', './side.ts', 'vscode', '../../src/extension/analysis.ts']);
});

test('src/core imports nothing outside src/core, and never vscode', () => {
  const bad = importsOf('src/core').filter((i) => (i.target ? !inside(i.target, 'src/core') : i.specifier === 'vscode' || i.specifier.startsWith('vscode/')));
  assert.deepEqual(bad, [], `src/core must stand alone:\n${show(bad)}`);
});

test('webview-ui imports nothing from src/extension, and never vscode', () => {
  const bad = importsOf('webview-ui').filter((i) => (i.target ? inside(i.target, 'src/extension') : i.specifier === 'vscode'));
  assert.deepEqual(bad, [], `what both sides need belongs in src/shared or src/core:\n${show(bad)}`);
});

test('src/shared and src/parsers import nothing from src/extension, webview-ui or src/cli, and never vscode', () => {
  const bad = [...importsOf('src/shared'), ...importsOf('src/parsers')].filter((i) =>
    i.target ? ['src/extension', 'webview-ui', 'src/cli'].some((d) => inside(i.target!, d)) : i.specifier === 'vscode',
  );
  assert.deepEqual(bad, [], show(bad));
});
