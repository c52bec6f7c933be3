/**
 * Linking a workload (training YAML, vllm serve) to its model config. Pure path arithmetic on POSIX-style paths
 * (URI paths); the extension checks which candidates exist.
 */

/** A hub id looks like `org/name` (exactly one slash, no leading ./ or /); everything else is a local path. */
export function isLocalModelPath(model: string): boolean {
  const m = model.trim();
  if (!m || m.includes('$')) return false;
  if (m.startsWith('/') || m.startsWith('./') || m.startsWith('../') || m.startsWith('~') || /^[A-Za-z]:[\\/]/.test(m)) return true;
  if (m === '.' || m === '..') return true;
  const parts = m.split('/').filter(Boolean);
  return parts.length !== 2; // `name` alone or a deeper relative path
}

export function dirname(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function joinPath(base: string, rel: string): string {
  const parts = (rel.startsWith('/') ? rel : `${base}/${rel}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

/**
 * Paths of config.json files to try, in order: relative to the file's folder, then to each workspace folder;
 * the model may name a folder (→ folder/config.json) or the config itself. For a hub id (org/name), a workspace
 * folder named like the model (`name`, lower-cased) is tried too, so examples/qwen2.5-7b matches Qwen/Qwen2.5-7B.
 */
export function modelPathCandidates(model: string, fileDir: string, workspaceRoots: readonly string[]): string[] {
  const m = model.trim().replace(/\\/g, '/');
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p)) out.push(p);
  };
  const viaFolder = (abs: string) => {
    if (/\.json$/i.test(abs)) add(abs);
    else add(joinPath(abs, 'config.json'));
  };
  if (!m || m.includes('$')) return out;
  if (m.startsWith('~')) return out; // home paths are outside the workspace
  if (isLocalModelPath(m)) {
    if (m.startsWith('/')) viaFolder(joinPath('/', m));
    else {
      viaFolder(joinPath(fileDir, m));
      for (const r of workspaceRoots) viaFolder(joinPath(r, m));
    }
    return out;
  }
  const name = m.split('/').pop()!;
  for (const dir of [fileDir, ...workspaceRoots]) {
    viaFolder(joinPath(dir, m));
    viaFolder(joinPath(dir, name));
    viaFolder(joinPath(dir, name.toLowerCase()));
  }
  return out;
}

/**
 * Every config.json path to try for a workload, in order: the file's stored quick-pick link, then (for a local model
 * path) the path itself before the `llmFootprint.modelConfig` setting, or (for a hub id) the setting before the
 * workspace folders named like the model.
 */
export function linkOrder(opts: { link?: string | null; model: string | null; fileDir: string; roots: readonly string[]; setting?: string }): string[] {
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p)) out.push(p);
  };
  if (opts.link) add(opts.link);
  const settingPaths: string[] = [];
  const setting = (opts.setting ?? '').trim().replace(/\\/g, '/');
  if (setting) {
    const rel = /\.json$/i.test(setting) ? setting : `${setting.replace(/\/+$/, '')}/config.json`;
    if (rel.startsWith('/')) settingPaths.push(joinPath('/', rel));
    else for (const r of opts.roots) settingPaths.push(joinPath(r, rel));
  }
  const local = opts.model ? modelPathCandidates(opts.model, opts.fileDir, opts.roots) : [];
  if (opts.model && isLocalModelPath(opts.model)) [...local, ...settingPaths].forEach(add);
  else [...settingPaths, ...local].forEach(add);
  return out;
}
