/**
 * Every file the extension reads besides the open document goes through here: one limit (MAX_FILE_BYTES, as the
 * CLI), regular files only, symbolic links resolved and checked. Local files use the shared bounded reader
 * (src/shared/read-file.ts); in an untrusted workspace a local file must resolve inside a workspace folder or the
 * user's Hugging Face cache. Other schemes (remote, virtual) go through vscode.workspace.fs with the same limit on
 * the bytes actually read.
 */
import * as vscode from 'vscode';
import { MAX_FILE_BYTES } from '../parsers/index.ts';
import { readBoundedText } from '../shared/read-file.ts';

/** The folders an untrusted workspace may read: its own, and the user's Hugging Face cache. */
function allowedRoots(hubCache: string | null): string[] {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return hubCache ? [...roots, hubCache] : roots;
}

/** The text of a file, or null when it is missing, not a regular file, over the limit, or (untrusted) outside. */
export async function readFileText(uri: vscode.Uri, hubCache: string | null = null): Promise<string | null> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) {
    const text = open.getText();
    return text.length <= MAX_FILE_BYTES ? text : null;
  }
  try {
    if (uri.scheme === 'file') return readBoundedText(uri.fsPath, vscode.workspace.isTrusted ? {} : { roots: allowedRoots(hubCache) });
    const st = await vscode.workspace.fs.stat(uri);
    if (!(st.type & vscode.FileType.File) || st.size > MAX_FILE_BYTES) return null;
    const bytes = await vscode.workspace.fs.readFile(uri);
    return bytes.byteLength <= MAX_FILE_BYTES ? new TextDecoder().decode(bytes) : null;
  } catch {
    return null;
  }
}
