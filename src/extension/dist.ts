/**
 * Multi-GPU files in the workspace: the DeepSpeed JSON a training YAML or accelerate config names (read relative to
 * the file, then the workspace folders, and joined in), and for a DeepSpeed JSON without a model, the training YAML
 * next to it that names it (its model, and its values for the JSON's "auto" keys).
 */
import * as vscode from 'vscode';
import { pathInside } from './panel.ts';
import { readFileText } from './read.ts';
import { joinNamed, type Opener } from './launch.ts';
import { dirname, joinDeepSpeed, joinPath, parseDocumentText, type WorkloadFile } from '../parsers/index.ts';

const readText = (uri: vscode.Uri) => readFileText(uri);

const base = (p: string) => p.split('/').pop() ?? p;

/** Opens a file a workspace file names: next to it, then in the workspace folders (in an untrusted workspace, only inside them). */
export function workspaceOpener(uri: vscode.Uri): Opener {
  return {
    async open(ref, from) {
      const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme).map((f) => f.uri.path);
      const candidates = ref.startsWith('/') ? [joinPath('/', ref)] : [joinPath(dirname(from), ref), ...roots.map((r) => joinPath(r, ref))];
      // An untrusted workspace: only files inside its folders are read (no `/abs/path`, no `../../` out of it).
      const paths = vscode.workspace.isTrusted ? candidates : candidates.filter((p) => roots.some((r) => pathInside(p, r.replace(/\/+$/, ''))));
      for (const p of paths) {
        const text = await readText(uri.with({ path: p }));
        if (text !== null) return { path: p, text };
      }
      return null;
    },
  };
}

/** The workload with the DeepSpeed JSON it names joined in; a problem (at the naming key) when that fails. */
export async function joinNamedDeepSpeed(uri: vscode.Uri, w: WorkloadFile): ReturnType<typeof joinNamed> {
  return joinNamed(w, uri.path, workspaceOpener(uri));
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
