/**
 * Where a training or serving file's model config comes from, in one order shared by the CLI and the extension:
 *
 *   1. an explicit choice — the CLI's --model, the editor's stored link (LLM Footprint: Link Model Config);
 *   2. local paths — the model as a folder relative to the file or a workspace folder, and the
 *      `llmFootprint.modelConfig` setting (the order of `linkOrder`);
 *   3. the local Hugging Face cache (`HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`):
 *      `models--org--name/snapshots/<refs/main>/config.json`, the repo folder matched without case;
 *   4. the bundled catalog (`hub-catalog.ts`): the exact id, else a re-upload matched by name, with a warning.
 *
 * The steps are a generator that yields the reads it needs, so one implementation runs synchronously in the CLI
 * (node:fs) and asynchronously in the extension (vscode.workspace.fs). No I/O here.
 */
import { catalogLookup, type CatalogMatch } from './hub-catalog.ts';
import { joinPath, linkOrder } from './link.ts';

/** Where a read happens: a workspace path (the document's scheme in the editor) or a plain local file. */
export type ReadScope = 'workspace' | 'local';

export type ReadRequest =
  | { op: 'config'; path: string; scope: ReadScope }
  | { op: 'text'; path: string; scope: ReadScope }
  | { op: 'list'; path: string; scope: ReadScope };

/** What answers a request: a parsed config (config), the file's text (text), folder entry names (list); null when absent. */
export type ReadAnswer = Record<string, unknown> | string | string[] | null;

export type ModelSourceKind = 'explicit' | 'link' | 'path' | 'hf-cache' | 'catalog' | 'catalog-match';

export interface ModelSource {
  kind: ModelSourceKind;
  /** The config file read (null for the bundled catalog). */
  path: string | null;
  scope: ReadScope;
  /** One line for the CodeLens, the hover and the CLI: where the config came from. */
  label: string;
  /** For the catalog: the catalog id used, and the config's public source. */
  catalogId?: string;
  catalogSource?: string;
  /** A re-upload matched by name: says what it matched (also put into the estimate's warnings). */
  warning?: string;
}

export interface ModelResolution {
  config: Record<string, unknown>;
  source: ModelSource;
}

export interface ResolveRequest {
  /** base_model / model_name_or_path / the served model, as written; null when the file names none. */
  model: string | null;
  /** Paths tried first, in order: --model (kind 'explicit') or the stored link (kind 'link'). */
  explicit?: { path: string; kind: 'explicit' | 'link'; scope?: ReadScope }[];
  /** Folder of the file (POSIX path). */
  fileDir: string;
  /** Workspace folders (the CLI: the current directory). */
  roots: readonly string[];
  /** `llmFootprint.modelConfig`. */
  setting?: string;
  /** The Hugging Face hub cache folder (`hubCacheDir`), or null to skip the cache. */
  hubCache: string | null;
  /**
   * An untrusted workspace: paths outside the workspace folders are not read, except the user's own HF cache
   * (and an explicit choice the user made).
   */
  restricted?: boolean;
}

/** The hub cache folder from the environment, as huggingface_hub computes it. */
export function hubCacheDir(env: Record<string, string | undefined>, home: string | null): string | null {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const expand = (p: string) => (p.startsWith('~') && home ? norm(home) + p.slice(1) : p);
  if (env.HF_HUB_CACHE?.trim()) return norm(expand(env.HF_HUB_CACHE.trim()));
  if (env.HUGGINGFACE_HUB_CACHE?.trim()) return norm(expand(env.HUGGINGFACE_HUB_CACHE.trim()));
  if (env.HF_HOME?.trim()) return `${norm(expand(env.HF_HOME.trim()))}/hub`;
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return `${norm(expand(xdg))}/huggingface/hub`;
  return home ? `${norm(home)}/.cache/huggingface/hub` : null;
}

/** `Qwen/Qwen3-8B` → `Qwen/Qwen3-8B`; null for anything that is not `org/name` (paths, variables, URLs). */
export function hubId(model: string | null): string | null {
  if (!model) return null;
  let m = model.trim().replace(/^hf:\/\//, '').replace(/^https?:\/\/huggingface\.co\//, '');
  m = m.replace(/\/+$/, '');
  if (!m || m.includes('$') || m.startsWith('.') || m.startsWith('/') || m.startsWith('~') || /^[A-Za-z]:/.test(m)) return null;
  const parts = m.split('/');
  if (parts.length !== 2 || !parts.every((p) => /^[\w.-]+$/.test(p))) return null;
  return m;
}

/** A name the catalog may know: `org/name`, or a bare `name` (`Qwen3-8B`). */
function catalogName(model: string | null): string | null {
  const id = hubId(model);
  if (id) return id;
  const m = model?.trim() ?? '';
  return /^[\w.-]+$/.test(m) && !/^\.+$/.test(m) ? m : null;
}

const under = (p: string, root: string) => {
  const r = root.replace(/\/+$/, '');
  return p === r || p.startsWith(r + '/');
};

/** The resolution steps; drive them with `resolveModelSync` or `resolveModelAsync`. */
export function* resolveModelSteps(req: ResolveRequest): Generator<ReadRequest, ModelResolution | null, ReadAnswer> {
  const asConfig = (a: ReadAnswer) => (a && typeof a === 'object' && !Array.isArray(a) ? a : null);
  for (const e of req.explicit ?? []) {
    const scope = e.scope ?? 'workspace';
    const c = asConfig(yield { op: 'config', path: e.path, scope });
    if (c) return { config: c, source: { kind: e.kind, path: e.path, scope, label: `${e.kind === 'link' ? 'linked' : '--model'}: ${e.path}` } };
  }
  const local = linkOrder({ model: req.model, fileDir: req.fileDir, roots: req.roots, setting: req.setting }).filter(
    (p) => !req.restricted || req.roots.some((r) => under(p, r)),
  );
  for (const p of local) {
    const c = asConfig(yield { op: 'config', path: p, scope: 'workspace' });
    if (c) return { config: c, source: { kind: 'path', path: p, scope: 'workspace', label: p } };
  }
  const id = hubId(req.model);
  if (id && req.hubCache) {
    const found = yield* hfCacheSteps(id, req.hubCache);
    if (found) return found;
  }
  const name = catalogName(req.model);
  const hit = name ? catalogLookup(name) : null;
  if (hit) return { config: hit.entry.config, source: catalogSource(hit) };
  return null;
}

function catalogSource(hit: CatalogMatch): ModelSource {
  const base = { path: null, scope: 'local' as const, catalogId: hit.id, catalogSource: hit.entry.source };
  if (hit.exact) return { ...base, kind: 'catalog', label: `bundled catalog: ${hit.id}` };
  const warning = `"${hit.query}" is not in the Hugging Face cache or the bundled catalog; its name matches ${hit.id}, whose config is used (a re-upload or fine-tune of it is assumed: same architecture). Link the model's own config.json if it differs.`;
  return { ...base, kind: 'catalog-match', label: `bundled catalog: ${hit.id} (matched by name)`, warning };
}

/** `models--org--name/snapshots/<revision>/config.json`, revision from refs/main, else any snapshot with a config. */
function* hfCacheSteps(id: string, hub: string): Generator<ReadRequest, ModelResolution | null, ReadAnswer> {
  const want = `models--${id.replace('/', '--')}`;
  const entries = yield { op: 'list', path: hub, scope: 'local' };
  if (!Array.isArray(entries)) return null;
  const folder = entries.find((e) => e === want) ?? entries.find((e) => e.toLowerCase() === want.toLowerCase());
  if (!folder) return null;
  const repo = joinPath(hub, folder);
  const ref = yield { op: 'text', path: `${repo}/refs/main`, scope: 'local' };
  const revs: string[] = [];
  if (typeof ref === 'string' && /^[\w.-]+$/.test(ref.trim())) revs.push(ref.trim());
  if (!revs.length) {
    const snaps = yield { op: 'list', path: `${repo}/snapshots`, scope: 'local' };
    if (Array.isArray(snaps)) revs.push(...[...snaps].sort());
  }
  for (const rev of revs) {
    const p = `${repo}/snapshots/${rev}/config.json`;
    const a = yield { op: 'config', path: p, scope: 'local' };
    if (a && typeof a === 'object' && !Array.isArray(a)) {
      const shown = folder.slice('models--'.length).replace('--', '/');
      return { config: a, source: { kind: 'hf-cache', path: p, scope: 'local', label: `Hugging Face cache: ${shown} @ ${rev.slice(0, 7)}` } };
    }
  }
  return null;
}

export interface SyncReader {
  config(path: string, scope: ReadScope): Record<string, unknown> | null;
  text(path: string, scope: ReadScope): string | null;
  list(path: string, scope: ReadScope): string[] | null;
}

export interface AsyncReader {
  config(path: string, scope: ReadScope): Promise<Record<string, unknown> | null>;
  text(path: string, scope: ReadScope): Promise<string | null>;
  list(path: string, scope: ReadScope): Promise<string[] | null>;
}

export function resolveModelSync(req: ResolveRequest, io: SyncReader): ModelResolution | null {
  const g = resolveModelSteps(req);
  let step = g.next(null);
  while (!step.done) {
    const r = step.value;
    step = g.next(r.op === 'config' ? io.config(r.path, r.scope) : r.op === 'text' ? io.text(r.path, r.scope) : io.list(r.path, r.scope));
  }
  return step.value;
}

export async function resolveModelAsync(req: ResolveRequest, io: AsyncReader): Promise<ModelResolution | null> {
  const g = resolveModelSteps(req);
  let step = g.next(null);
  while (!step.done) {
    const r = step.value;
    const a = r.op === 'config' ? await io.config(r.path, r.scope) : r.op === 'text' ? await io.text(r.path, r.scope) : await io.list(r.path, r.scope);
    step = g.next(a);
  }
  return step.value;
}

/** One line for "nothing found": what was tried. */
export function notFoundMessage(model: string, hubCache: string | null): string {
  const cache = hubCache ? `not in the Hugging Face cache (${hubCache})` : 'no Hugging Face cache';
  return `model "${model}" is not a local folder with a config.json, ${cache}, and not in the bundled catalog`;
}

/** The user's hub cache from the environment and a home-directory lookup that may fail (no HOME): null when neither is known. */
export function userHubCache(env: Record<string, string | undefined>, homeDir: () => string): string | null {
  let home: string | null;
  try {
    home = homeDir();
  } catch {
    home = null;
  }
  return hubCacheDir(env, home);
}
