/**
 * A launch line's configs put together, pure (the CLI and the editor read the files, each its own way): which config
 * gives the model and the workload (a training YAML, else an accelerate config, else a DeepSpeed JSON), and the
 * accelerate config, DeepSpeed JSON and GPU count of the line laid over it.
 */
import type { LaunchLine } from './launch.ts';
import { joinDeepSpeed } from './resolve.ts';
import type { WorkloadFile } from './types.ts';

/** The first config of each kind among those read (`w` null: not a workload). */
export function launchRoles<T extends { w: WorkloadFile | null }>(read: readonly T[]): { base: T | undefined; accel: T | undefined; ds: T | undefined } {
  const pick = (kinds: readonly string[]) => read.find((x) => x.w && kinds.includes(x.w.kind));
  const train = pick(['axolotl', 'llamafactory']);
  const accel = pick(['accelerate']);
  const ds = pick(['deepspeed']);
  return { base: train ?? accel ?? ds, accel, ds };
}

/** The first launch line that says something: a config file or a GPU count. */
export function firstLaunch(lines: readonly LaunchLine[] | null): LaunchLine | undefined {
  return (lines ?? []).find((l) => l.configs.length || l.gpus);
}

/**
 * The base workload (with the DeepSpeed JSON it names already joined) with the line's accelerate config (its
 * mixed_precision yields to the training file's precision), the line's DeepSpeed JSON and its GPU count laid over it.
 */
export function overLaunch(
  w: WorkloadFile,
  line: LaunchLine,
  base: object,
  accel: { w: WorkloadFile | null } | undefined,
  ds: { w: WorkloadFile | null; name: string } | undefined,
  baseName: string,
): WorkloadFile {
  if (accel?.w && accel !== base) w = { ...w, scenario: { ...w.scenario, ...withoutPrecision(accel.w.scenario) } };
  if (ds?.w && ds !== base && !w.inherited) w = joinDeepSpeed(w, ds.w, baseName, ds.name).file;
  if (line.gpus) w = { ...w, scenario: { ...w.scenario, gpus: line.gpus, ...(line.gpusPerNode && line.gpusPerNode <= 64 ? { gpusPerNode: line.gpusPerNode } : {}) } };
  return w;
}

function withoutPrecision(s: WorkloadFile['scenario']): WorkloadFile['scenario'] {
  const rest = { ...s };
  delete rest.precision;
  return rest;
}
