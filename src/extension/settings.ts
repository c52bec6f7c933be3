/** Reads the extension's settings in one place. */
import * as vscode from 'vscode';
import { SCENARIO_FIELDS, type ScenarioInput } from '../core/index.ts';

export const SECTION = 'llmFootprint';
export const DEFAULT_GPU = 'h100-sxm-80gb';

export interface Settings {
  gpu: string;
  modelConfig: string;
  defaults: ScenarioInput;
  debounceMs: number;
  codeLens: boolean;
  /** llmFootprint.customGpus as stored (parsed lazily by gpus.ts; [] when unset). */
  customGpus: unknown;
}

export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const defaults: Record<string, unknown> = {};
  for (const f of SCENARIO_FIELDS) {
    if (f.key === 'gpu') continue;
    const v = c.get<unknown>(`defaults.${f.key}`);
    if (v !== undefined && v !== null && v !== '') defaults[f.key] = v;
  }
  return {
    gpu: c.get<string>('gpu') || DEFAULT_GPU,
    modelConfig: c.get<string>('modelConfig') ?? '',
    defaults,
    debounceMs: Math.max(50, c.get<number>('debounceMs') ?? 300),
    codeLens: c.get<boolean>('codeLens.enabled') ?? true,
    customGpus: c.get<unknown>('customGpus') ?? [],
  };
}
