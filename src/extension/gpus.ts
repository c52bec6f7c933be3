/**
 * The GPUs the extension knows: the catalog plus the user's `llmFootprint.customGpus`. The parser of that setting
 * (src/core/custom-gpu.ts, with mathjs) is imported lazily, only when the setting has entries, so activation does
 * not load mathjs for users without custom GPUs. No `vscode` here: extension.ts shows the errors.
 */
import { GPUS, findGpu, type Gpu } from '../core/index.ts';

export interface CustomGpuLoad {
  gpus: Gpu[];
  errors: string[];
}

let custom: readonly Gpu[] = [];
let ready: Promise<CustomGpuLoad> = Promise.resolve({ gpus: [], errors: [] });
let generation = 0;

/** Whether a setting value has anything to parse (undefined, null and [] do not). */
export function hasCustomGpus(value: unknown): boolean {
  return !(value === undefined || value === null || (Array.isArray(value) && value.length === 0));
}

/** Parses the setting's value; loads the parser (and mathjs) only when there is something to parse. */
export async function parseCustomGpusLazily(value: unknown): Promise<CustomGpuLoad> {
  if (!hasCustomGpus(value)) return { gpus: [], errors: [] };
  try {
    const { parseCustomGpus } = await import('../core/custom-gpu.ts');
    return parseCustomGpus(value);
  } catch (e) {
    return { gpus: [], errors: [`customGpus: could not be read (${e instanceof Error ? e.message : String(e)})`] };
  }
}

/**
 * Starts reading the setting; estimates made after this wait for it (whenCustomGpusReady). The newest call wins when
 * the setting changes again before an earlier read finished.
 */
export function reloadCustomGpus(value: unknown): Promise<CustomGpuLoad> {
  const mine = ++generation;
  ready = parseCustomGpusLazily(value).then((r) => {
    if (mine === generation) custom = r.gpus;
    return r;
  });
  return ready;
}

/** Resolves once the last reloadCustomGpus finished (at once when none ran). */
export async function whenCustomGpusReady(): Promise<void> {
  await ready;
}

/** The user's GPUs (valid entries only). */
export function customGpus(): readonly Gpu[] {
  return custom;
}

/** For tests: sets the user's GPUs directly. */
export function setCustomGpus(gpus: readonly Gpu[]): void {
  generation++;
  custom = gpus;
  ready = Promise.resolve({ gpus: [...gpus], errors: [] });
}

/** A GPU by id: the user's first, then the catalog. */
export function findTargetGpu(id: string): Gpu | undefined {
  return findGpu(id, custom);
}

/** Catalog, then the user's GPUs: what the GPU quick pick offers. */
export function allGpus(): readonly Gpu[] {
  return [...GPUS, ...custom];
}

/** The quick pick items for "LLM Footprint: Select Target GPU". */
export function gpuPickItems(current: string, gpus: readonly Gpu[] = allGpus()): { label: string; description: string; detail?: string; id: string }[] {
  return gpus.map((g) => ({
    label: g.name,
    description: `${(g.memoryBytes / 2 ** 30).toFixed(1)} GiB${g.vendor === 'custom' ? ` · custom (${g.id})` : ''}`,
    detail: g.id === current ? 'current target' : undefined,
    id: g.id,
  }));
}

/** The warning shown once per change of the setting: the first errors, the rest counted. */
export function customGpuWarning(errors: readonly string[], max = 3): string | null {
  if (errors.length === 0) return null;
  const shown = errors.slice(0, max).join('; ');
  const more = errors.length > max ? ` (+${errors.length - max} more in the Output panel "LLM Footprint")` : '';
  return `LLM Footprint: llmFootprint.customGpus: ${shown}${more}`;
}
