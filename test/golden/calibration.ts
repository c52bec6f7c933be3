/**
 * Maps each measured case of test/fixtures/measured/*.jsonl onto a scenario, and its measured peak.
 * Shared by the calibration test and `scripts/calibration-table.mjs` (the closing-note table).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioInput } from '../../src/core/scenario.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'measured');

export interface MeasuredCase {
  id: string;
  kind: string;
  model: string;
  config: unknown;
  scenario: ScenarioInput;
  /** torch.cuda.max_memory_allocated at the peak. */
  peak: number;
  kvBytes?: number;
  /** For kind "params". */
  params?: number;
  embeddingParams?: number;
  weightsBytes?: number;
}

const CUBLAS_WORKSPACE = 32 * 1024 * 1024;

/** One line of h100-measurements.jsonl (the fields read here); which numbers a line carries depends on its kind. */
interface H100Record {
  status: string;
  kind: string;
  model?: string;
  dtype?: string;
  batch: number;
  seq: number;
  new_tokens: number;
  params: number;
  embedding_params: number;
  weights_alloc_bytes: number;
  peak_over_weights_bytes: number;
  prefill_peak_over_weights_bytes: number;
  baseline_alloc_bytes: number;
  kv_bytes: number;
  peak_alloc_bytes: number;
  precision: string;
  optimizer: string;
  grad_checkpointing?: boolean;
  lora_r?: number | null;
}

/** One line of the extra-*.jsonl files (the fields read here); each carries the config that ran. */
interface ExtraRecord {
  status: string;
  kind: string;
  model: string;
  config: unknown;
  batch: number;
  seq: number;
  new_tokens: number;
  peak_alloc_bytes: number;
  kv_bytes?: number;
  precision: string;
  optimizer?: string;
  gc?: boolean;
  lora_r?: number;
  accum?: number;
}

export function loadConfig(model: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, 'configs', `${model}.json`), 'utf8'));
}

export function loadCases(): MeasuredCase[] {
  const out: MeasuredCase[] = [];
  const lines = readFileSync(join(FIXTURES, 'h100-measurements.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  for (const line of lines) {
    const r = JSON.parse(line) as H100Record;
    if (r.status !== 'ok' || !r.model) continue;
    const config = loadConfig(r.model);
    const dtype = r.dtype === 'float32' ? 'fp32' : 'bf16';
    switch (r.kind) {
      case 'params':
        out.push({ id: `params ${r.model}`, kind: r.kind, model: r.model, config, scenario: {}, peak: 0, params: r.params, embeddingParams: r.embedding_params });
        break;
      case 'weights':
        out.push({ id: `weights ${r.model} ${dtype}`, kind: r.kind, model: r.model, config, scenario: { precision: dtype === 'fp32' ? 'fp32' : 'bf16', batch: 1, seq: 1 }, peak: r.weights_alloc_bytes, weightsBytes: r.weights_alloc_bytes });
        break;
      case 'prefill':
        out.push({
          id: `prefill ${r.model} b${r.batch} s${r.seq}`,
          kind: r.kind,
          model: r.model,
          config,
          scenario: { mode: 'inference', batch: r.batch, seq: r.seq, precision: 'bf16', weightsDtype: 'bf16' },
          peak: r.weights_alloc_bytes + r.prefill_peak_over_weights_bytes,
          // The first case of a process also counts the 32 MiB cuBLAS workspace in kv_bytes (see README).
          kvBytes: r.baseline_alloc_bytes === 0 && r.kv_bytes % (1024 * 1024) === 0 && r.kv_bytes > CUBLAS_WORKSPACE ? r.kv_bytes - CUBLAS_WORKSPACE : r.kv_bytes,
        });
        break;
      case 'generate':
        out.push({
          id: `generate ${r.model} b${r.batch} s${r.seq}+${r.new_tokens}`,
          kind: r.kind,
          model: r.model,
          config,
          scenario: { mode: 'inference', batch: r.batch, seq: r.seq, newTokens: r.new_tokens, precision: 'bf16', weightsDtype: 'bf16' },
          peak: r.weights_alloc_bytes + r.peak_over_weights_bytes,
        });
        break;
      case 'forward_full_logits':
        out.push({
          id: `full-logits ${r.model} b${r.batch} s${r.seq}`,
          kind: r.kind,
          model: r.model,
          config,
          scenario: { mode: 'inference', batch: r.batch, seq: r.seq, precision: 'bf16', weightsDtype: 'bf16', logits: 'all' },
          peak: r.weights_alloc_bytes + r.peak_over_weights_bytes,
        });
        break;
      case 'train':
        out.push({
          id: `train ${r.model} b${r.batch} s${r.seq} ${r.precision} ${r.optimizer}${r.grad_checkpointing ? ' gc' : ''}${r.lora_r ? ` lora${r.lora_r}` : ''}`,
          kind: r.kind,
          model: r.model,
          config,
          scenario: {
            mode: 'training',
            batch: r.batch,
            seq: r.seq,
            precision: r.precision === 'amp_bf16' ? 'amp-bf16' : 'bf16',
            optimizer: r.optimizer === 'sgd' ? 'sgd' : 'adamw',
            gradCheckpointing: !!r.grad_checkpointing,
            loraRank: r.lora_r ?? null,
          },
          peak: r.peak_alloc_bytes,
        });
        break;
      default:
        break; // device_limits, timing: roofline issue
    }
  }
  return [...out, ...loadExtraCases()];
}

/**
 * Measurements made for this project with scripts/calibrate/measure.py (H100, PyTorch 2.11, transformers 5.17):
 * other architectures (Qwen3, Gemma-2, Phi-3, GPT-2, GPT-NeoX, Mixtral, DeepSeek-V2 MLA, OLMo-2, Falcon), some with
 * fewer layers than the public model; each record carries the exact config that ran.
 */
export function loadExtraCases(): MeasuredCase[] {
  const out: MeasuredCase[] = [];
  const lines = ['extra-measurements.jsonl', 'extra-heavy-measurements.jsonl', 'extra-kv-measurements.jsonl', 'extra-accum-measurements.jsonl']
    .flatMap((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n'))
    .filter((l) => l.trim());
  for (const line of lines) {
    const r = JSON.parse(line) as ExtraRecord;
    if (r.status !== 'ok') continue;
    if (r.kind === 'prefill') {
      out.push({
        id: `prefill ${r.model} b${r.batch} s${r.seq}`,
        kind: r.kind,
        model: r.model,
        config: r.config,
        scenario: { mode: 'inference', batch: r.batch, seq: r.seq, precision: 'bf16', weightsDtype: 'bf16' },
        peak: r.peak_alloc_bytes,
        ...(r.kv_bytes !== undefined ? { kvBytes: r.kv_bytes } : {}),
      });
    } else if (r.kind === 'generate') {
      out.push({
        id: `generate ${r.model} b${r.batch} s${r.seq}+${r.new_tokens}`,
        kind: r.kind,
        model: r.model,
        config: r.config,
        scenario: { mode: 'inference', batch: r.batch, seq: r.seq, newTokens: r.new_tokens, precision: 'bf16', weightsDtype: 'bf16' },
        peak: r.peak_alloc_bytes,
      });
    } else if (r.kind === 'train') {
      out.push({
        id: `train ${r.model} b${r.batch} s${r.seq} ${r.precision} ${r.optimizer ?? 'adamw'}${r.gc ? ' gc' : ''}${r.lora_r ? ` lora${r.lora_r}` : ''}${r.accum ? ` accum${r.accum}` : ''}`,
        kind: r.kind,
        model: r.model,
        config: r.config,
        scenario: {
          mode: 'training',
          batch: r.batch,
          seq: r.seq,
          precision: r.precision === 'amp_bf16' ? 'amp-bf16' : r.precision === 'fp32' ? 'fp32' : 'bf16',
          optimizer: r.optimizer === 'sgd_momentum' ? 'sgd-momentum' : 'adamw',
          gradCheckpointing: !!r.gc,
          loraRank: r.lora_r ?? null,
          gradAccumulation: r.accum ?? 1,
        },
        peak: r.peak_alloc_bytes,
      });
    }
  }
  return out;
}
