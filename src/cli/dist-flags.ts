/**
 * The multi-GPU and offload flags (--gpus, --zero, --offload-optimizer, --tp, the DeepSpeed bucket sizes, …), generated
 * from SCENARIO_FIELDS: each field's kebab-case name, kind, options and bounds. The schema checks the rest.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SCENARIO_FIELDS, type FieldInfo, type ScenarioInput } from '../core/scenario.ts';

/** The scenario fields of issue 9, as flags. */
export const DIST_FIELDS: readonly (keyof ScenarioInput)[] = [
  'gpus', 'gpusPerNode', 'zero', 'offloadOptimizer', 'offloadParams', 'tp', 'pp', 'ep', 'cp', 'sequenceParallel', 'ppMicroBatches',
  'activationOffload', 'hostMemory', 'reduceBucketSize', 'allgatherBucketSize', 'prefetchBucketSize', 'maxLiveParameters', 'paramPersistenceThreshold',
  'images', 'freezeVision',
];

export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** "512 GiB", "1.5TB", "549755813888" → bytes. */
export function sizeArg(name: string) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(value);
    const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
    if (!m || unit === undefined) throw new InvalidArgumentError(`${name} must be a size like "512 GiB" or a number of bytes, got "${value}"`);
    return Math.round(Number(m[1]) * unit);
  };
}

/** A whole-number flag within [min, max], refused with one line naming the flag. */
export function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${value}`);
    return n;
  };
}

function enumOf(name: string, options: readonly string[]) {
  return (value: string): string => {
    const v = value.trim().toLowerCase();
    if (options.includes(v)) return v;
    throw new InvalidArgumentError(`${name} must be one of ${options.join(', ')}, got "${value}"`);
  };
}

function optionFor(f: FieldInfo): Option {
  const name = flagName(f.key);
  const help = f.help + (f.runtimes ? ` (${f.runtimes.join(', ')})` : '');
  if (f.kind === 'bool') return new Option(name, help);
  if (f.key === 'hostMemory') return new Option(`${name} <size>`, help).argParser(sizeArg(name));
  if (f.kind === 'enum') return new Option(`${name} <value>`, `${help} ${f.options!.join('|')}`).argParser(enumOf(name, f.options!));
  return new Option(`${name} <n>`, help).argParser(intArg(name, f.min ?? 1, f.max ?? Number.MAX_SAFE_INTEGER));
}

export function addDistOptions(cmd: Command): Command {
  for (const key of DIST_FIELDS) {
    const f = SCENARIO_FIELDS.find((x) => x.key === key);
    if (f) cmd.addOption(optionFor(f));
  }
  return cmd;
}

/** The fields the distributed flags set (a flag left out sets nothing). */
export function distFlags(flags: Record<string, unknown>): ScenarioInput {
  const out: Record<string, unknown> = {};
  for (const key of DIST_FIELDS) if (flags[key] !== undefined) out[key] = flags[key];
  // The flags' parsers gave each field its type; the schema checks the values.
  const typed: ScenarioInput = out;
  return typed;
}
