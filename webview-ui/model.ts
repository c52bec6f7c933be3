/**
 * The webview's pure logic (no DOM): controls generated from SCENARIO_FIELDS, value coercion, chart geometry and
 * the batch/sequence sweep. Unit-tested in node.
 */
import {
  GPUS,
  SCENARIO_FIELDS,
  estimateSpec,
  findGpu,
  largestFitting,
  parseScenario,
  type Estimate,
  type FieldInfo,
  type Gpu,
  type ModelSpec,
  type Scenario,
  type ScenarioInput,
  type Term,
} from '../src/core/index.ts';

export interface Control {
  field: FieldInfo;
  /** For enum/string fields: [value, label]; the empty value stands for null ("default"). */
  options?: [string, string][];
  nullable: boolean;
}

const NULLABLE = new Set(['weightsDtype', 'loraRank', 'gpu', 'apolloRank', 'doubleQuant', 'loraTargets', 'loraModulesToSave']);

/**
 * Controls for a mode, in SCENARIO_FIELDS order; a new scenario field appears here without UI changes. The GPU
 * select offers the catalog, then the user's GPUs (llmFootprint.customGpus, sent by the extension).
 */
export function controlsFor(mode: Scenario['mode'], runtime: Scenario['runtime'] = 'pytorch', customGpus: readonly Gpu[] = []): Control[] {
  return SCENARIO_FIELDS.filter((f) => (f.modes.includes(mode) && (!f.runtimes || f.runtimes.includes(runtime))) || f.key === 'mode').map((f) => {
    const nullable = NULLABLE.has(f.key);
    let options: [string, string][] | undefined;
    if (f.key === 'gpu') options = [...GPUS.map((g): [string, string] => [g.id, g.name]), ...customGpus.filter((g) => !findGpu(g.id)).map((g): [string, string] => [g.id, `${g.name} (custom)`])];
    else if (f.kind === 'enum') options = (f.options ?? []).map((o) => [o, o]);
    // A nullable switch ("default" = the stack's own choice, e.g. double quantization) is a three-way select.
    else if (f.kind === 'bool' && nullable) options = [['true', 'on'], ['false', 'off']];
    if (options && nullable && f.key !== 'gpu') options = [['', 'default'], ...options];
    return { field: f, options, nullable };
  });
}

/** Turns a control's raw value into the scenario value; throws a message for invalid input. */
export function coerce(field: FieldInfo, raw: string | boolean): unknown {
  if (field.kind === 'bool') return raw === '' && NULLABLE.has(field.key) ? null : raw === true || raw === 'true';
  const s = String(raw).trim();
  if (field.kind === 'number') {
    const n = Number(s);
    if (s === '' || !Number.isFinite(n)) throw new Error(`${field.label} must be a number`);
    return n;
  }
  if (field.kind === 'int') {
    if (s === '' && NULLABLE.has(field.key)) return null;
    if (!/^\d+$/.test(s)) throw new Error(`${field.label} must be a whole number`);
    const n = Number(s);
    if (field.min !== undefined && n < field.min) throw new Error(`${field.label} must be at least ${field.min}`);
    if (field.max !== undefined && n > field.max) throw new Error(`${field.label} must be at most ${field.max}`);
    return n;
  }
  if (s === '' && NULLABLE.has(field.key)) return null;
  return s;
}

/** Display value of a scenario field for a control. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export interface Segment {
  id: string;
  label: string;
  bytes: number;
  x: number;
  width: number;
  color: string;
  /** Device-only terms (CUDA context, allocator) are drawn hatched after the live tensors. */
  device: boolean;
}

export const CHART_COLORS = [
  'var(--vscode-charts-blue)',
  'var(--vscode-charts-green)',
  'var(--vscode-charts-yellow)',
  'var(--vscode-charts-orange)',
  'var(--vscode-charts-purple)',
  'var(--vscode-charts-foreground)',
];
// Red is kept for the capacity line.

const light = (c: string) => `color-mix(in srgb, var(--vscode-charts-${c}) 50%, transparent)`;

/**
 * A fixed color per term id, chosen so that the terms that are live in the same phase never share one (weights and
 * their gradients: blue, light blue; states and step temporaries: green, light green; …).
 */
const TERM_COLORS: Record<string, string> = {
  weights: 'var(--vscode-charts-blue)',
  gradients: light('blue'),
  lora_adapters: 'var(--vscode-charts-yellow)',
  autocast_weight_copies: light('yellow'),
  optimizer_states: 'var(--vscode-charts-green)',
  optimizer_temporaries: light('green'),
  kv_cache: 'var(--vscode-charts-green)',
  kv_growth: light('green'),
  activations: 'var(--vscode-charts-purple)',
  activations_recompute: light('purple'),
  moe_expert_gather: light('purple'),
  logits: 'var(--vscode-charts-orange)',
  attention_backward: light('orange'),
  mixer_temporaries: light('red'),
  cuda_workspace: 'var(--vscode-charts-foreground)',
};

/** A stable color per term id, so the same term keeps its color across scenarios; unknown ids hash into the palette. */
export function colorFor(id: string): string {
  const known = TERM_COLORS[id];
  if (known) return known;
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return CHART_COLORS[h % CHART_COLORS.length]!;
}

/** Horizontal stacked bar: segments scaled so max(total, capacity) spans `width`. */
export function stackedSegments(e: Estimate, capacityBytes: number | null, width: number): { segments: Segment[]; capacityX: number | null; scaleMax: number } {
  const terms: [Term, boolean][] = [
    ...e.memory.terms.filter((t) => t.where === 'gpu' && t.bytes > 0).map((t): [Term, boolean] => [t, false]),
    ...e.memory.device_terms.filter((t) => t.bytes > 0).map((t): [Term, boolean] => [t, true]),
  ];
  const total = terms.reduce((s, [t]) => s + t.bytes, 0);
  const scaleMax = Math.max(total, capacityBytes ?? 0, 1);
  let x = 0;
  const segments = terms.map(([t, device]) => {
    const w = (t.bytes / scaleMax) * width;
    const seg: Segment = { id: t.id, label: t.label, bytes: t.bytes, x, width: w, color: device ? 'var(--vscode-descriptionForeground)' : colorFor(t.id), device };
    x += w;
    return seg;
  });
  return { segments, capacityX: capacityBytes ? (capacityBytes / scaleMax) * width : null, scaleMax };
}

export interface SweepPoint {
  x: number;
  peak: number;
  device: number;
}

export interface Sweep {
  axis: 'batch' | 'seq';
  points: SweepPoint[];
  /** Largest value of the axis whose device memory fits the capacity (null: none fits or no GPU). */
  maxFit: number | null;
}

/** Sweep values: powers of two from 1 (batch) or 256 (seq) up to `limit`, plus the current value. */
export function sweepValues(axis: 'batch' | 'seq', current: number, limit: number): number[] {
  const v = new Set<number>([current]);
  for (let x = axis === 'batch' ? 1 : 256; x <= limit; x *= 2) v.add(x);
  return [...v].filter((x) => x >= 1 && x <= Math.max(limit, current)).sort((a, b) => a - b);
}

/** Re-runs the engine over the axis (parse once, estimate many) and finds the largest value that fits. */
export function sweep(spec: ModelSpec, scenario: Scenario, axis: 'batch' | 'seq', capacityBytes: number | null, customGpus: readonly Gpu[] = []): Sweep {
  const opts = { customGpus };
  const current = scenario[axis];
  const limit = axis === 'batch' ? Math.max(256, current * 2) : Math.max(spec.maxPositions ?? 0, current, 4096);
  const at = (x: number): Estimate | null => {
    try {
      return estimateSpec(spec, parseScenario({ ...scenario, [axis]: x }), opts);
    } catch {
      return null;
    }
  };
  const points: SweepPoint[] = [];
  // Stop a little past the capacity so the interesting part of the curve stays readable (the current value is
  // always shown).
  let over = 0;
  for (const x of sweepValues(axis, current, limit)) {
    if (over >= 2 && x > current) break;
    const e = at(x);
    if (!e) continue;
    points.push({ x, peak: e.memory.peak_bytes, device: e.memory.device_bytes });
    if (capacityBytes && e.memory.device_bytes > capacityBytes) over++;
  }
  const maxFit = capacityBytes ? largestFitting(spec, scenario, axis, capacityBytes, opts) : null;
  return { axis, points, maxFit };
}

/** Chart coordinates for the sweep: log2 x axis, linear y from 0 to max(peak, capacity). */
export function curveGeometry(s: Sweep, capacityBytes: number | null, w: number, h: number, pad = 40, padLeft = 72) {
  const xs = s.points.map((p) => p.x);
  const minX = Math.log2(Math.max(1, Math.min(...xs)));
  const maxX = Math.log2(Math.max(2, Math.max(...xs)));
  const maxY = Math.max(capacityBytes ?? 0, ...s.points.map((p) => p.device), 1) * 1.08;
  const sx = (x: number) => padLeft + ((Math.log2(x) - minX) / Math.max(1e-9, maxX - minX)) * (w - padLeft - pad);
  const sy = (y: number) => h - pad - (y / maxY) * (h - 2 * pad);
  return {
    sx,
    sy,
    maxY,
    path: s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.device).toFixed(1)}`).join(' '),
    capacityY: capacityBytes ? sy(capacityBytes) : null,
    left: padLeft,
  };
}

/** The target GPU (the user's GPUs first, then the catalog) and its memory. */
export function capacityOf(gpuId: string | null, customGpus: readonly Gpu[] = []): { gpu: Gpu | null; bytes: number | null } {
  const gpu = gpuId ? (findGpu(gpuId, customGpus) ?? null) : null;
  return { gpu, bytes: gpu ? gpu.memoryBytes : null };
}

/**
 * The target GPU, the capacity the bar and curve draw, and whether the estimate fits it. The engine decides the fit
 * when it ran a runtime with its own rule (vLLM: one full-length request in the KV pool, `memory.serving`); the
 * capacity is then the whole GPU and `budget` what vLLM takes of it (--gpu-memory-utilization × GPU).
 */
export function fitOf(e: Estimate, customGpus: readonly Gpu[] = []): { gpu: Gpu | null; bytes: number | null; budget: number | null; fits: boolean | null } {
  const { gpu, bytes } = capacityOf(e.scenario.gpu, customGpus);
  return { gpu, bytes, budget: e.memory.serving?.budget_bytes ?? null, fits: e.memory.fits };
}

/** Keeps only keys the schema knows, so an old saved state never breaks parseScenario. */
export function sanitizeScenario(s: ScenarioInput | Record<string, unknown>): ScenarioInput {
  const keys = new Set(Object.keys(parseScenario({})));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (keys.has(k)) out[k] = v;
  return out;
}

/** One bar of the per-rank view: each kind of rank's GPU peak, then the host RAM and NVMe per node. */
export interface RankRow {
  label: string;
  bytes: number;
  where: 'gpu' | 'cpu' | 'nvme';
  /** Share of the bar's scale (the largest row or the capacity), 0–1. */
  fraction: number;
  fits: boolean | null;
}

/** Rows of the per-rank view; empty on one GPU without offload (the stacked bar says it all). */
export function rankRows(e: Estimate, gpuCapacity: number | null): RankRow[] {
  const m = e.memory;
  if (m.ranks.length === 0 && m.host_bytes === 0 && m.nvme_bytes === 0) return [];
  if (e.parallel === null && m.ranks.length <= 1 && m.host_bytes === 0 && m.nvme_bytes === 0) return [];
  const gpuRows: Omit<RankRow, 'fraction'>[] = m.ranks.map((r) => ({ label: `${r.rank} ×${r.count}`, bytes: r.device_bytes, where: 'gpu', fits: r.fits }));
  const gpuScale = Math.max(gpuCapacity ?? 0, ...gpuRows.map((r) => r.bytes), 1);
  const out: RankRow[] = gpuRows.map((r) => ({ ...r, fraction: r.bytes / gpuScale }));
  const host = e.scenario.hostMemory;
  if (m.host_bytes > 0) out.push({ label: 'host RAM per node', bytes: m.host_bytes, where: 'cpu', fits: m.host_fits, fraction: m.host_bytes / Math.max(host ?? 0, m.host_bytes) });
  if (m.nvme_bytes > 0) out.push({ label: 'NVMe per node', bytes: m.nvme_bytes, where: 'nvme', fits: null, fraction: 1 });
  return out;
}
