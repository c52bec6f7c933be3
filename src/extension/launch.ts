/**
 * Launch scripts in the editor (torchrun / accelerate launch / deepspeed lines), pure (files come through an
 * `Opener`): the configs the first launch line names are read, put together as the CLI does
 * (parsers/launch-join.ts) and estimated with the line's GPU count. The workload keeps the script's own locations:
 * the GPU-count option (hovered, and edited by the quick fixes) and the config arguments.
 */
import { firstLaunch, joinDeepSpeed, launchRoles, overLaunch, parseDocumentText, parseLaunchScript, type KeyLocation, type LaunchLine, type ParseIssue, type WorkloadFile } from '../parsers/index.ts';

/** Finds a file a workspace file names (next to it, then in the workspace folders) and reads it. */
export interface Opener {
  open(ref: string, from: string): Promise<{ path: string; text: string } | null>;
}

export interface LaunchRead {
  line: LaunchLine;
  /** The script's own issues (a GPU count that is not a number …). */
  errors: ParseIssue[];
  /** The workload the line runs, its keys the script's; null with a problem. */
  file: WorkloadFile | null;
  /** The path of the training YAML (or accelerate config / DeepSpeed JSON) whose model is used. */
  modelFrom: string | null;
  problem: ParseIssue | null;
  notes: string[];
}

const base = (p: string) => p.split('/').pop() ?? p;
const LAUNCHERS = /\b(torchrun|accelerate|deepspeed|torch\.distributed\.(run|launch))\b/;

/** Whether a shell script may hold a launch line (before parsing it). */
export function mayLaunch(path: string, text: string): boolean {
  return /\.(sh|bash|zsh)$/i.test(path) && LAUNCHERS.test(text);
}

/** The DeepSpeed JSON a workload names, read and joined in; a problem (at the naming key) when that fails. */
export async function joinNamed(w: WorkloadFile, from: string, opener: Opener): Promise<{ file: WorkloadFile; problem: ParseIssue | null; notes: ParseIssue[]; ds?: { path: string; text: string; file: WorkloadFile } }> {
  const ref = w.deepspeed;
  if (!ref) return { file: w, problem: null, notes: [] };
  const problem = (message: string): ParseIssue => ({ message: `${ref.loc.key}: ${message}`, severity: 'error', range: ref.loc.valueRange, key: ref.loc.key });
  const f = await opener.open(ref.path, from);
  if (!f) return { file: w, problem: problem(`${JSON.stringify(ref.path)} was not found next to this file or in the workspace`), notes: [] };
  const doc = parseDocumentText(base(f.path), f.text);
  const err = doc.errors.find((e) => e.severity === 'error');
  if (err) return { file: w, problem: problem(`${base(f.path)}:${err.range.start.line + 1}:${err.range.start.character + 1}: ${err.message}`), notes: [] };
  const ds = doc.files[0];
  if (!ds || ds.kind !== 'deepspeed') return { file: w, problem: problem(`${base(f.path)} is not a DeepSpeed config`), notes: [] };
  const joined = joinDeepSpeed(w, ds, base(from), base(f.path));
  return { file: joined.file, problem: null, notes: joined.notes, ds: { path: f.path, text: f.text, file: ds } };
}

async function readConfig(from: string, ref: KeyLocation, path: string, opener: Opener): Promise<{ path: string; name: string; loc: KeyLocation; w: WorkloadFile | null; problem: ParseIssue | null } | null> {
  const f = await opener.open(path, from);
  if (!f) return null;
  const doc = parseDocumentText(base(f.path), f.text);
  const err = doc.errors.find((e) => e.severity === 'error');
  const problem = err ? { message: `${ref.key}: ${base(f.path)}:${err.range.start.line + 1}:${err.range.start.character + 1}: ${err.message}`, severity: 'error' as const, range: ref.valueRange, key: ref.key } : null;
  const w = doc.files[0];
  return { path: f.path, name: base(f.path), loc: ref, w: !err && w && w.kind !== 'model-config' ? w : null, problem };
}

/** The first launch line of a script and the workload it runs; null when the script has none. */
export async function readLaunchScript(path: string, text: string, opener: Opener): Promise<LaunchRead | null> {
  const r = parseLaunchScript(text);
  const line = firstLaunch(r.value);
  if (!line) return null;
  const out: LaunchRead = { line, errors: r.errors, file: null, modelFrom: null, problem: null, notes: [] };
  const read = [];
  for (const c of line.configs) {
    const x = await readConfig(path, c.loc, c.path, opener);
    if (x?.problem) return { ...out, problem: x.problem };
    if (x) read.push(x);
  }
  const { base: b, accel, ds } = launchRoles(read);
  if (!b?.w) return { ...out, problem: { message: `The ${line.launcher} line names no training YAML, accelerate config or DeepSpeed JSON that could be read.`, severity: 'info', range: line.launcherRange } };
  const joined = await joinNamed(b.w, b.path, opener);
  if (joined.problem) return { ...out, problem: { ...joined.problem, message: `${b.name}: ${joined.problem.message}`, range: b.loc.valueRange, key: b.loc.key } };
  const w = overLaunch(joined.file, line, b, accel, ds, b.name);
  const keys = [...(line.gpusLocation ? [line.gpusLocation] : []), ...line.configs.map((c) => c.loc)];
  out.file = { ...w, keys, fields: line.gpusLocation ? { gpus: line.gpusLocation } : {}, modelLocation: b.loc, deepspeed: undefined };
  out.modelFrom = b.path;
  out.notes = [...joined.notes.map((n) => n.message), ...(line.gpus ? [`${line.gpus} GPUs from the ${line.launcher} line; configs from ${read.map((x) => x.name).join(', ')}.`] : [])];
  return out;
}
