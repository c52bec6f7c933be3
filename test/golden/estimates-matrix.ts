/**
 * The golden matrix: every bundled config × a set of scenarios covering each path of the engine (inference,
 * generate, scoring, quantized weights, KV dtypes, vLLM with and without a GPU, training in every precision, LoRA,
 * checkpointing, accumulation, every optimizer). `snapshot` keeps every number the estimate reports, plus term ids,
 * phase names and warnings; the golden test asserts they stay byte-identical across refactors.
 *
 * Regenerate (only for a measured fix, named in the commit): node --import tsx scripts/golden-snapshot.ts --write
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, type ScenarioInput } from '../../src/core/index.ts';

export const CONFIG_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'configs');
export const GOLDEN_FILE = path.join(import.meta.dirname, '..', 'fixtures', 'golden', 'estimates.json');

export const SCENARIOS: Record<string, ScenarioInput> = {
  'prefill': {},
  'prefill-h100': { gpu: 'h100-sxm-80gb' },
  'generate-b4': { batch: 4, seq: 1024, newTokens: 256 },
  'generate-fp32': { precision: 'fp32', seq: 512, newTokens: 64 },
  'scoring-b2': { batch: 2, seq: 1024, logits: 'all' },
  'nf4': { weightsDtype: 'nf4', newTokens: 16 },
  'int4': { weightsDtype: 'int4', seq: 4096 },
  'int8-fp8kv': { weightsDtype: 'int8', kvDtype: 'fp8', newTokens: 32 },
  'fp8': { weightsDtype: 'fp8', batch: 8, seq: 512 },
  'lora-inference': { loraRank: 16, newTokens: 8 },
  'vllm-nogpu': { runtime: 'vllm', batch: 16, seq: 4096, newTokens: 512 },
  'vllm-h100': { runtime: 'vllm', gpu: 'h100-sxm-80gb', batch: 64, seq: 8192, newTokens: 1024 },
  'vllm-l4-util': { runtime: 'vllm', gpu: 'l4-24gb', gpuMemoryUtilization: 0.8, maxNumBatchedTokens: 2048 },
  'train-bf16': { mode: 'training', batch: 2, seq: 1024 },
  'train-bf16-gc': { mode: 'training', batch: 4, seq: 2048, gradCheckpointing: true },
  'train-amp': { mode: 'training', precision: 'amp-bf16', batch: 2, seq: 1024 },
  'train-amp-gc': { mode: 'training', precision: 'amp-bf16', batch: 2, seq: 2048, gradCheckpointing: true },
  'train-amp-fp16-accum': { mode: 'training', precision: 'amp-fp16', seq: 512, gradAccumulation: 4 },
  'train-fp32': { mode: 'training', precision: 'fp32', seq: 512 },
  'train-fp16-sgd': { mode: 'training', precision: 'fp16', optimizer: 'sgd', seq: 1024 },
  'train-sgd-momentum': { mode: 'training', optimizer: 'sgd-momentum', batch: 2, seq: 512 },
  'train-fused': { mode: 'training', optimizer: 'adamw-fused', seq: 1024, gpu: 'a100-sxm-80gb' },
  'train-accum': { mode: 'training', batch: 2, seq: 1024, gradAccumulation: 4 },
  'train-lora': { mode: 'training', loraRank: 16, batch: 2, seq: 2048 },
  'train-lora-gc': { mode: 'training', loraRank: 64, batch: 4, seq: 2048, gradCheckpointing: true, gpu: 'rtx-4090' },
  'train-lora-amp': { mode: 'training', loraRank: 8, precision: 'amp-bf16', seq: 1024 },
  'train-lora-fp32-accum': { mode: 'training', loraRank: 8, precision: 'fp32', seq: 256, gradAccumulation: 2 },
  'train-lora-int8': { mode: 'training', loraRank: 8, weightsDtype: 'int8' },
  'train-bad-dtype': { mode: 'training', weightsDtype: 'fp32' },
  // Issue 8: memory-saving methods (added cases; the rows above keep their numbers).
  'nf4-dq': { weightsDtype: 'nf4', doubleQuant: true, newTokens: 16 },
  'kv-int4': { kvDtype: 'int4', batch: 4, seq: 1024, newTokens: 256 },
  'train-adamw-8bit': { mode: 'training', optimizer: 'adamw-8bit', batch: 2, seq: 1024 },
  'train-paged-adamw-8bit': { mode: 'training', optimizer: 'paged-adamw-8bit', seq: 1024 },
  'train-adafactor': { mode: 'training', optimizer: 'adafactor', seq: 1024 },
  'train-lion': { mode: 'training', optimizer: 'lion', seq: 1024 },
  'train-galore-lw': { mode: 'training', optimizer: 'galore-adamw-8bit', galoreRank: 16, layerwiseUpdate: true, seq: 1024 },
  'train-apollo-mini': { mode: 'training', optimizer: 'apollo-mini', seq: 1024, gradCheckpointing: true },
  'train-qlora': { mode: 'training', qlora: true, loraRank: 16, batch: 2, seq: 1024, gradCheckpointing: true },
  'train-qlora-noprep-cce': { mode: 'training', qlora: true, loraRank: 8, prepareKbit: false, loss: 'cce', seq: 2048 },
  'train-lora-targets-liger': { mode: 'training', loraRank: 16, loraTargets: 'q_proj,v_proj', loss: 'liger-flce', seq: 2048 },
};

export function configNames(): string[] {
  const top = readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json'));
  const synthetic = readdirSync(path.join(CONFIG_DIR, 'synthetic')).map((f) => `synthetic/${f}`);
  return [...top, ...synthetic].sort();
}

/** Everything an estimate reports that a refactor must keep, in a stable order. */
export function snapshot(config: unknown, scenario: ScenarioInput): unknown {
  try {
    const e = estimate(config, scenario);
    const m = e.memory;
    const term = (t: { id: string; bytes: number; where: string }) => [t.id, t.bytes, t.where];
    return {
      params: e.params,
      attention: e.model.attention,
      peak: m.peak_bytes,
      device: m.device_bytes,
      host: m.host_bytes,
      fits: m.fits,
      peak_phase: m.peak_phase,
      phases: m.phases.map((p) => [p.phase, p.bytes]),
      terms: m.terms.map(term),
      device_terms: m.device_terms.map(term),
      kv_per_token: m.kv_bytes_per_token,
      serving: m.serving,
      warnings: e.warnings,
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function computeMatrix(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of configNames()) {
    const config: unknown = JSON.parse(readFileSync(path.join(CONFIG_DIR, name), 'utf8'));
    for (const [sid, sc] of Object.entries(SCENARIOS)) out[`${name} ${sid}`] = snapshot(config, sc);
  }
  return out;
}
