/**
 * Multi-GPU files in the workspace: the DeepSpeed JSON a training YAML or accelerate config names (read relative to
 * the file, then the workspace folders, and joined in), and for a DeepSpeed JSON without a model, the training YAML
 * next to it that names it (its model, and its values for the JSON's "auto" keys).
 */
import * as vscode from 'vscode';
import { pathInside } from './panel.ts';
import { readFileText } from './read.ts';
import { dirname, joinDeepSpeed, joinPath, parseDocumentText, type ParseIssue, type WorkloadFile } from '../parsers/index.ts';

const readText = (uri: vscode.Uri) => readFileText(uri);

const base = (p: string) => p.split('/').pop() ?? p;

/** The workload with the DeepSpeed JSON it names joined in; a problem (at the naming key) when that fails. */
export async function joinNamedDeepSpeed(uri: vscode.Uri, w: WorkloadFile): Promise<{ file: WorkloadFile; problem: ParseIssue | null; notes: ParseIssue[] }> {
  const ref = w.deepspeed;
  if (!ref) return { file: w, problem: null, notes: [] };
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme).map((f) => f.uri.path);
  const candidates = ref.path.startsWith('/') ? [joinPath('/', ref.path)] : [joinPath(dirname(uri.path), ref.path), ...roots.map((r) => joinPath(r, ref.path))];
  // An untrusted workspace: only files inside its folders are read (no `/abs/path`, no `../../` out of it).
  const paths = vscode.workspace.isTrusted ? candidates : candidates.filter((p) => roots.some((r) => pathInside(p, r.replace(/\/+$/, ''))));
  const problem = (message: string): ParseIssue => ({ message: `${ref.loc.key}: ${message}`, severity: 'error', range: ref.loc.valueRange, key: ref.loc.key });
  for (const p of paths) {
    const text = await readText(uri.with({ path: p }));
    if (text === null) continue;
    const doc = parseDocumentText(base(p), text);
    const err = doc.errors.find((e) => e.severity === 'error');
    if (err) return { file: w, problem: problem(`${base(p)}:${err.range.start.line + 1}:${err.range.start.character + 1}: ${err.message}`), notes: [] };
    const ds = doc.files[0];
    if (!ds || ds.kind !== 'deepspeed') return { file: w, problem: problem(`${base(p)} is not a DeepSpeed config`), notes: [] };
    const joined = joinDeepSpeed(w, ds, base(uri.path), base(p));
    return { file: joined.file, problem: null, notes: joined.notes };
  }
  return { file: w, problem: problem(`${JSON.stringify(ref.path)} was not found next to this file or in the workspace`), notes: [] };
}

/**
 * For a DeepSpeed JSON: a training YAML in the same folder whose `deepspeed:` names it. Returns the YAML's URI and the
 * YAML joined with this JSON, carrying the JSON's own keys and fields (hovers and diagnostics stay on the JSON).
 */
export async function trainingFileNaming(uri: vscode.Uri, ds: WorkloadFile): Promise<{ uri: vscode.Uri; file: WorkloadFile } | null> {
  let names: [string, vscode.FileType][];
  try {
    names = await vscode.workspace.fs.readDirectory(uri.with({ path: dirname(uri.path) }));
  } catch {
    return null;
  }
  const me = base(uri.path);
  for (const [name, type] of names.sort((a, b) => a[0].localeCompare(b[0]))) {
    if (type !== vscode.FileType.File || !/\.ya?ml$/i.test(name)) continue;
    const yUri = uri.with({ path: joinPath(dirname(uri.path), name) });
    const text = await readText(yUri);
    if (!text || !text.includes(me)) continue;
    const t = parseDocumentText(name, text).files[0];
    if (!t || t.kind === 'model-config' || !t.deepspeed || joinPath(dirname(yUri.path), t.deepspeed.path) !== uri.path) continue;
    const joined = joinDeepSpeed(t, ds, name, me).file;
    return { uri: yUri, file: { ...joined, kind: ds.kind, keys: ds.keys, fields: ds.fields, modelLocation: null } };
  }
  return null;
}
