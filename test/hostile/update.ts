/**
 * The extension's work for one update of a document, without `vscode`: parse, one analysis per estimated entry
 * (the model config linked by hand), and the diagnostics (src/extension/workspace.ts and providers.ts do the same
 * around vscode types). Used by the regression tests and `npm run bench` to time what the extension host does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readModelConfig } from '../../src/core/index.ts';
import { MAX_EDITOR_YAML_BYTES, parseDocumentText, parseModelConfig, type ParsedDocument, type WorkloadFile } from '../../src/parsers/index.ts';
import { analyze, buildScenario } from '../../src/extension/analysis.ts';
import { HINTED_ENTRIES, fitDiagnostics, parseIssueDiagnostics, type FitDiagnostic } from '../../src/extension/diagnostics.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const MODEL = parseModelConfig(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')).value!.config;
const SPEC = readModelConfig(MODEL);

export interface Update {
  entries: number;
  diagnostics: FitDiagnostic[];
}

/** `parsed`: the document a worker thread parsed (a YAML over the editor's limit); the host then does the rest. */
export function extensionUpdate(fileName: string, text: string, gpu = 'h100-sxm-80gb', parsed?: ParsedDocument): Update {
  const doc = parsed ?? parseDocumentText(fileName, text, { yamlLimit: MAX_EDITOR_YAML_BYTES });
  const diagnostics = parseIssueDiagnostics(doc.errors);
  let entries = 0;
  doc.files.forEach((f, i) => {
    if (f.kind === 'model-config') return;
    const w: WorkloadFile = f;
    const a = analyze(w.kind, MODEL, SPEC, buildScenario({}, w, SPEC, gpu));
    entries++;
    // As the editor does: no re-parse per quick fix during an update (providers.ts asks for them at a range).
    diagnostics.push(...fitDiagnostics(w, a, text, i, false, undefined, i < HINTED_ENTRIES));
  });
  // providers.ts shows at most MAX_DIAGNOSTICS (100) and one line saying so.
  return { entries, diagnostics: diagnostics.slice(0, 101) };
}

/** Runs fn once; wall time in ms and the growth of the heap and RSS in MB. */
export function measure<T>(fn: () => T): { ms: number; heapMB: number; rssMB: number; value: T | Error } {
  globalThis.gc?.();
  const h0 = process.memoryUsage();
  const t0 = process.hrtime.bigint();
  let value: T | Error;
  try {
    value = fn();
  } catch (e) {
    value = e as Error;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const h1 = process.memoryUsage();
  return { ms, heapMB: (h1.heapUsed - h0.heapUsed) / 2 ** 20, rssMB: (h1.rss - h0.rss) / 2 ** 20, value };
}
