/**
 * The issue-8 measurements (test/fixtures/measured/methods-h200.jsonl, made by scripts/calibrate/measure_methods.py on
 * one H200: PyTorch 2.11, transformers 5.17, peft 0.21, bitsandbytes 0.50.2.dev0 built from source, galore_torch)
 * mapped onto scenarios. Peaks are taken relative to the process's baseline (earlier cases leave memory behind)
 * plus the 32 MiB cuBLAS workspace of the first matmul, which every other fixture's peak includes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioInput } from '../../src/core/scenario.ts';
import { FIXTURES } from './calibration.ts';

export interface MethodCase {
  id: string;
  config: unknown;
  scenario: ScenarioInput;
  peak: number;
  weights: number;
  /** Optimizer state bytes on the device (PyTorch allocator) and in unified memory (paged), training only. */
  states?: number;
  pagedStates?: number;
  /** Peak of the optimizer step alone (not layer-wise), relative like `peak`. */
  stepPeak?: number;
}

const CUBLAS = 32 * 1024 * 1024;

const OPTIMIZER: Record<string, ScenarioInput['optimizer']> = {
  adamw8bit: 'adamw-8bit',
  paged_adamw8bit: 'paged-adamw-8bit',
  paged_adamw32: 'paged-adamw',
  lion32: 'lion',
  adafactor: 'adafactor',
  galore_adamw: 'galore-adamw',
  galore_adamw8bit: 'galore-adamw-8bit',
  galore_adafactor: 'galore-adafactor',
  apollo: 'apollo',
  apollo_mini: 'apollo-mini',
};

/** One line of methods-h200.jsonl, as far as the tests read it. */
interface MethodRecord {
  status: string;
  model: string;
  kind: 'train' | 'qlora' | 'infer';
  config: unknown;
  batch: number;
  seq: number;
  optimizer?: string;
  rank?: number;
  gap?: number;
  layerwise?: boolean;
  quant?: 'nf4' | 'int8';
  dq?: boolean;
  prepare?: boolean;
  gc?: boolean;
  lora_r?: number;
  baseline_alloc_bytes: number;
  weights_alloc_bytes: number;
  prepared_alloc_bytes?: number;
  peak_alloc_bytes: number;
  peak_step_bytes?: number[];
  state_device_bytes?: number;
  state_paged_bytes?: number;
}

export function loadMethodCases(): MethodCase[] {
  const lines = readFileSync(join(FIXTURES, 'methods-h200.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const out: MethodCase[] = [];
  for (const line of lines) {
    const r = JSON.parse(line) as MethodRecord;
    if (r.status !== 'ok') continue;
    const base = r.baseline_alloc_bytes;
    const peak = r.peak_alloc_bytes - base + CUBLAS;
    // After prepare_model_for_kbit_training (fp32 embeddings and norms), where it ran.
    const weights = (r.prepared_alloc_bytes ?? r.weights_alloc_bytes) - base;
    const common = { batch: r.batch, seq: r.seq };
    let scenario: ScenarioInput;
    let id: string;
    if (r.kind === 'train') {
      const opt = OPTIMIZER[r.optimizer ?? '']!;
      scenario = { mode: 'training', ...common, precision: 'bf16', optimizer: opt, layerwiseUpdate: !!r.layerwise };
      if (opt.startsWith('galore')) Object.assign(scenario, { galoreRank: r.rank, galoreUpdateGap: r.gap });
      if (opt === 'apollo') scenario.apolloRank = r.rank ?? null;
      id = `${r.model} ${opt}${r.layerwise ? ' layer-wise' : ''}`;
    } else if (r.kind === 'qlora') {
      scenario =
        r.quant === 'nf4'
          ? { mode: 'training', ...common, qlora: true, loraRank: r.lora_r, doubleQuant: r.dq, prepareKbit: r.prepare, gradCheckpointing: r.gc }
          : { mode: 'training', ...common, loraRank: r.lora_r, weightsDtype: 'int8', prepareKbit: r.prepare, gradCheckpointing: r.gc };
      id = `${r.model} ${r.quant === 'nf4' ? 'QLoRA' : 'LoRA on int8'} r${r.lora_r}${r.quant === 'nf4' ? (r.dq ? ' dq' : ' no-dq') : ''}${r.prepare ? ' prepare' : ' no-prepare'}${r.gc ? ' gc' : ''}`;
    } else {
      scenario = { mode: 'inference', ...common, weightsDtype: r.quant, doubleQuant: r.dq };
      id = `${r.model} ${r.quant}${r.quant === 'nf4' ? (r.dq ? ' dq' : ' no-dq') : ''} prefill b${r.batch} s${r.seq}`;
    }
    const c: MethodCase = { id, config: r.config, scenario, peak, weights };
    if (r.state_device_bytes !== undefined) {
      c.states = r.state_device_bytes;
      c.pagedStates = r.state_paged_bytes ?? 0;
    }
    if (r.peak_step_bytes && !r.layerwise) c.stepPeak = Math.max(...r.peak_step_bytes) - base + CUBLAS;
    out.push(c);
  }
  return out;
}
