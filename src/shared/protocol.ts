/**
 * The typed messages between the extension host and the breakdown webview. Both sides take their message types
 * from this module only; every message is validated on receipt with the guards below (a webview is untrusted input).
 */
import { isObject } from '../core/input-checks.ts';
import type { ScenarioInput } from '../core/scenario.ts';
import type { Gpu } from '../core/roofline/hardware.ts';
import type { FileKind } from '../parsers/types.ts';

/** Which file the panel shows, for its title and the "open source" link. */
export interface SourceInfo {
  /** Document URI as a string. */
  uri: string;
  /** Short label, e.g. `examples/axolotl-lora.yaml`. */
  label: string;
  kind: FileKind | 'none';
  /** The model config's label when it came from another file (a linked config.json). */
  modelLabel?: string;
}

export type PanelView = 'breakdown' | 'compare' | 'curve' | 'roofline' | 'methods';

/** What the webview needs to estimate on its own: the raw config (the webview bundles the engine) and scenarios. */
export interface PanelData {
  config: Record<string, unknown>;
  scenario: ScenarioInput;
  source: SourceInfo;
  /** Parser warnings (keys not modelled yet …) shown above the breakdown. */
  notes: string[];
  /** Extra scenarios for the comparison view (the first is always `scenario`). */
  compare?: ScenarioInput[];
  view?: PanelView;
  /**
   * The user's GPUs (llmFootprint.customGpus), already parsed by the extension: plain numbers, so the webview finds
   * them (GPU select, estimates, fit) without parsing units itself.
   */
  customGpus?: Gpu[];
}

/** Extension → webview. */
export type HostMessage =
  | { type: 'load'; data: PanelData }
  | { type: 'setView'; view: PanelView }
  | { type: 'setGpu'; gpu: string };

/** Webview → extension. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'copyMarkdown'; markdown: string }
  | { type: 'openSource'; uri: string }
  | { type: 'selectGpu'; gpu: string }
  | { type: 'log'; level: 'info' | 'error'; message: string };

/** State the webview keeps with vscode.setState; the serializer hands it back after a reload. */
export interface WebviewState {
  data: PanelData | null;
  scenario: ScenarioInput | null;
  compare: ScenarioInput[];
  view: PanelView;
  curveAxis: 'batch' | 'seq';
}

const str = (x: unknown): x is string => typeof x === 'string';
const VIEWS: readonly string[] = ['breakdown', 'compare', 'curve', 'roofline', 'methods'];
const KINDS: readonly string[] = ['model-config', 'axolotl', 'llamafactory', 'vllm', 'deepspeed', 'accelerate', 'none'];

const GPU_VENDORS: readonly string[] = ['nvidia', 'amd', 'custom'];
const MAX_CUSTOM_GPUS = 200;
const finiteAtLeast = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isFinite(x) && x >= min;

/** A GPU as the extension sends it: short strings, memory in (0, 2^50) bytes, non-negative finite rates. */
export function isGpu(x: unknown): x is Gpu {
  if (!isObject(x)) return false;
  if (!str(x['id']) || x['id'].length === 0 || x['id'].length > 64 || !str(x['name']) || x['name'].length > 200) return false;
  if (!str(x['vendor']) || !GPU_VENDORS.includes(x['vendor']) || !str(x['source']) || x['source'].length > 500) return false;
  if (!finiteAtLeast(x['memoryBytes'], 1) || x['memoryBytes'] >= 2 ** 50) return false;
  return finiteAtLeast(x['bandwidth'], 0) && finiteAtLeast(x['flops16'], 0);
}

export function isPanelData(x: unknown): x is PanelData {
  if (!isObject(x) || !isObject(x['config']) || !isObject(x['scenario']) || !isObject(x['source'])) return false;
  const s = x['source'];
  if (!str(s['uri']) || !str(s['label']) || !str(s['kind']) || !KINDS.includes(s['kind'])) return false;
  if (!Array.isArray(x['notes']) || !x['notes'].every(str)) return false;
  if (x['compare'] !== undefined && !(Array.isArray(x['compare']) && x['compare'].every(isObject))) return false;
  if (x['view'] !== undefined && !(str(x['view']) && VIEWS.includes(x['view']))) return false;
  const g = x['customGpus'];
  if (g !== undefined && !(Array.isArray(g) && g.length <= MAX_CUSTOM_GPUS && g.every(isGpu))) return false;
  return true;
}

export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x) || !str(x['type'])) return false;
  switch (x['type']) {
    case 'load':
      return isPanelData(x['data']);
    case 'setView':
      return str(x['view']) && VIEWS.includes(x['view']);
    case 'setGpu':
      return str(x['gpu']);
    default:
      return false;
  }
}

export function isWebviewMessage(x: unknown): x is WebviewMessage {
  if (!isObject(x) || !str(x['type'])) return false;
  switch (x['type']) {
    case 'ready':
      return true;
    case 'copyMarkdown':
      return str(x['markdown']) && x['markdown'].length < 1_000_000;
    case 'openSource':
      return str(x['uri']);
    case 'selectGpu':
      return str(x['gpu']) && x['gpu'].length < 200;
    case 'log':
      return (x['level'] === 'info' || x['level'] === 'error') && str(x['message']);
    default:
      return false;
  }
}

export function isWebviewState(x: unknown): x is WebviewState {
  if (!isObject(x)) return false;
  if (x['data'] !== null && !isPanelData(x['data'])) return false;
  if (!Array.isArray(x['compare'])) return false;
  return str(x['view']) && VIEWS.includes(x['view']);
}
