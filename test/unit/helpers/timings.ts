/**
 * The measured timing fixtures (test/fixtures/measured/timing-*.jsonl) as estimate inputs: each row's config,
 * scenario and overrides, its GPU as a catalog id (rows written on the GPU machine carry the name the driver
 * reports, e.g. "NVIDIA H200"), and the figure of the estimate it measures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DecodeImpl, ScenarioInput, TimeFigures } from '../../../src/core/index.ts';

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
  /** Decode rows: the implementation timed, as the scenario's `decode` (IMPLS). */
  impl?: DecodeImpl;
  /** Decode rows: timed through generate() (its per-token loop on the host included) or as bare forward steps. */
  loop?: 'generate' | 'forward';
  file: string;
}

/**
 * measure_time.py's `impl` as the scenario's decode: eager (dynamic cache), graph_eager (static cache, the eager
 * kernels captured as one CUDA graph), compiled (torch.compile mode="reduce-overhead": fused kernels in CUDA graphs).
 * The H100 rows (h100-measurements.jsonl) carry no impl: they time generate(); "static cache, compiled generate" is
 * transformers' static-cache generate, which compiles the forward (reduce-overhead) — decode 'compiled'.
 */
const IMPLS: Readonly<Record<string, DecodeImpl>> = { eager: 'eager', graph_eager: 'cuda-graphs', compiled: 'compiled' };

type RawTiming = Omit<Timing, 'impl' | 'scenario'> & { impl?: string; status?: string; scenario: ScenarioInput & { compiled?: boolean } };

/** A fixture row as estimate inputs: the old boolean `compiled` of its scenario replaced by `decode`. */
function asTiming(r: RawTiming, file: string): Timing {
  const { compiled, ...scenario } = r.scenario;
  const base = { ...r, gpu: DEVICE_NAMES[r.gpu] ?? r.gpu, file };
  if (r.kind !== 'decode') return { ...base, impl: undefined, scenario };
  const impl = r.impl !== undefined ? IMPLS[r.impl] : compiled ? 'compiled' : 'eager';
  if (!impl) throw new Error(`${file}: unknown decode impl ${r.impl}`);
  return { ...base, impl, loop: r.impl !== undefined ? 'forward' : 'generate', scenario: { ...scenario, decode: impl } };
}

export const timingFiles = (): string[] => readdirSync(MEASURED).filter((f) => /^timing-.*\.jsonl$/.test(f)).sort();

export function timings(file: string): Timing[] {
  return readFileSync(path.join(MEASURED, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RawTiming)
    .filter((r) => r.scenario && (r.status ?? 'ok') === 'ok' && r.seconds > 0)
    .map((r) => asTiming(r, file));
}

export const allTimings = (): Timing[] => timingFiles().flatMap(timings);

export const modelConfig = (r: Timing): object => ({ ...(JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/configs', r.config), 'utf8')) as object), ...r.overrides });

/** The figure a row measures. */
export const measuredFigure = (kind: Timing['kind'], t: TimeFigures): number | undefined => (kind === 'train' ? t.train_step_s : kind === 'prefill' ? t.prefill_s : t.decode_step_s);

/** A short label: "decode compiled llama-3.2-1b b32 s663 (h200-141gb)"; "(generate)" marks a row timed through generate(). */
export function label(r: Timing): string {
  const s = r.scenario;
  const bits = [`b${s.batch ?? 1}`, `s${s.seq ?? ''}`, s.precision === 'amp-bf16' ? 'amp' : '', s.gradCheckpointing ? 'ckpt' : '', s.loraRank ? `lora${s.loraRank}` : '', s.optimizer === 'sgd' ? 'sgd' : ''].filter(Boolean);
  const impl = r.kind === 'decode' ? `${r.impl}${r.loop === 'generate' ? '(generate)' : ''}` : '';
  return `${r.kind} ${impl ? impl + ' ' : ''}${r.config.replace('.json', '')}${typeof r.overrides?.num_hidden_layers === 'number' ? `-l${r.overrides.num_hidden_layers}` : ''} ${bits.join(' ')} (${r.gpu})`;
}
