/**
 * The measured timing fixtures (test/fixtures/measured/timing-*.jsonl) as estimate inputs: each row's config,
 * scenario and overrides, its GPU as a catalog id (rows written on the GPU machine carry the name the driver
 * reports, e.g. "NVIDIA H200"), and the figure of the estimate it measures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ScenarioInput, TimeFigures } from '../../../src/core/index.ts';

export const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const MEASURED = path.join(ROOT, 'test/fixtures/measured');

/** What `torch.cuda.get_device_name()` / nvidia-smi print, as catalog ids. */
export const DEVICE_NAMES: Readonly<Record<string, string>> = {
  'NVIDIA H200': 'h200-141gb',
  'NVIDIA H100 80GB HBM3': 'h100-sxm-80gb',
};

export interface Timing {
  kind: 'train' | 'prefill' | 'decode';
  /** Catalog id. */
  gpu: string;
  config: string;
  scenario: ScenarioInput;
  overrides?: Record<string, unknown>;
  seconds: number;
  /** measure_time.py's decode implementation: eager, graph_eager (CUDA graph of the eager kernels), compiled. */
  impl?: string;
  file: string;
}

export const timingFiles = (): string[] => readdirSync(MEASURED).filter((f) => /^timing-.*\.jsonl$/.test(f)).sort();

export function timings(file: string): Timing[] {
  return readFileSync(path.join(MEASURED, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Timing & { status?: string })
    .filter((r) => r.scenario && (r.status ?? 'ok') === 'ok' && r.seconds > 0)
    .map((r) => ({ ...r, gpu: DEVICE_NAMES[r.gpu] ?? r.gpu, file }));
}

export const allTimings = (): Timing[] => timingFiles().flatMap(timings);

export const modelConfig = (r: Timing): object => ({ ...(JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/configs', r.config), 'utf8')) as object), ...r.overrides });

/** The figure a row measures. */
export const measuredFigure = (kind: Timing['kind'], t: TimeFigures): number | undefined => (kind === 'train' ? t.train_step_s : kind === 'prefill' ? t.prefill_s : t.decode_step_s);

/** A short label: "decode compiled llama-3.2-1b b32 s663 (h200-141gb)". */
export function label(r: Timing): string {
  const s = r.scenario;
  const bits = [`b${s.batch ?? 1}`, `s${s.seq ?? ''}`, s.precision === 'amp-bf16' ? 'amp' : '', s.gradCheckpointing ? 'ckpt' : '', s.loraRank ? `lora${s.loraRank}` : '', s.optimizer === 'sgd' ? 'sgd' : ''].filter(Boolean);
  const impl = r.kind === 'decode' ? (r.impl ?? (s.compiled ? 'compiled(generate)' : 'eager(generate)')) : '';
  return `${r.kind} ${impl ? impl + ' ' : ''}${r.config.replace('.json', '')}${typeof r.overrides?.num_hidden_layers === 'number' ? `-l${r.overrides.num_hidden_layers}` : ''} ${bits.join(' ')} (${r.gpu})`;
}
