/**
 * The CLI's multi-GPU inputs: the DeepSpeed JSON a training YAML (or accelerate config) names, read relative to the
 * file and then the current directory and joined in; and launch scripts (torchrun / accelerate launch / deepspeed),
 * whose GPU count is laid over the config files they run.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { firstLaunch, joinDeepSpeed, launchRoles, overLaunch, parseDocumentText, parseLaunchScript, type ParseIssue, type WorkloadFile } from '../parsers/index.ts';
import { InputError, readTextFile } from './read-config.ts';

const at = (file: string, e: ParseIssue) => `${file}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.message}`;

const readText = readTextFile;

/** A referenced file: relative to the file that names it, else to the current directory (the workspace root). */
export function findReferenced(ref: string, fromFile: string): string | null {
  const tries = path.isAbsolute(ref) ? [ref] : [path.join(path.dirname(fromFile), ref), path.resolve(ref)];
  return tries.find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

/** Parses a workspace file the way the editor does; its first error is an InputError with file:line:column. */
export function readWorkload(file: string): { w: WorkloadFile | null; notes: string[] } {
  const doc = parseDocumentText(path.basename(file), readText(file));
  const fatal = doc.errors.find((e) => e.severity === 'error');
  if (fatal) throw new InputError(at(file, fatal));
  const w = doc.files[0];
  return { w: w && w.kind !== 'model-config' ? w : null, notes: doc.errors.map((e) => `${path.basename(file)}:${e.range.start.line + 1}: ${e.message}`) };
}

/** Joins the DeepSpeed JSON a workload names (`deepspeed:`, `deepspeed_config_file`). */
export function joinReferenced(w: WorkloadFile, file: string, notes: string[]): WorkloadFile {
  if (!w.deepspeed) return w;
  const ref = w.deepspeed;
  const found = findReferenced(ref.path, file);
  const where = `${file}:${ref.loc.keyRange.start.line + 1}`;
  if (!found) throw new InputError(`${where}: ${ref.loc.key}: ${JSON.stringify(ref.path)} was not found next to ${path.basename(file)} or in the current directory`);
  const ds = readWorkload(found);
  if (!ds.w || ds.w.kind !== 'deepspeed') throw new InputError(`${where}: ${ref.loc.key}: ${found} is not a DeepSpeed config`);
  notes.push(...ds.notes);
  const joined = joinDeepSpeed(w, ds.w, path.basename(file), path.basename(found));
  notes.push(...joined.notes.map((e) => `${path.basename(file)}:${e.range.start.line + 1}: ${e.message}`));
  return joined.file;
}

/**
 * A launch script: its first launch line's GPU count over the configs it runs (a training YAML, an accelerate
 * config, a DeepSpeed JSON, in that order of precedence for the model and the workload). Returns the file whose model
 * is used, or null when the script has no launch line.
 */
export function readLaunch(file: string, text: string, notes: string[]): { w: WorkloadFile; base: string } | null {
  const r = parseLaunchScript(text);
  const line = firstLaunch(r.value);
  if (!line) return null;
  notes.push(...r.errors.map((e) => `${path.basename(file)}:${e.range.start.line + 1}: ${e.message}`));
  const read = line.configs.map((c) => findReferenced(c.path, file)).filter((p): p is string => p !== null).map((p) => ({ p, name: path.basename(p), ...readWorkload(p) }));
  const { base, accel, ds } = launchRoles(read);
  if (!base?.w) throw new InputError(`${file}: the ${line.launcher} line names no training YAML, accelerate config or DeepSpeed JSON that could be read`);
  for (const x of read) notes.push(...x.notes);
  const w = overLaunch(joinReferenced(base.w, base.p, notes), line, base, accel, ds, path.basename(base.p));
  if (line.gpus) notes.push(`${path.basename(file)}: ${line.gpus} GPUs from the ${line.launcher} line`);
  return { w, base: base.p };
}
