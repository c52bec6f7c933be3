/**
 * The scenario in one line, the same everywhere it is shown: hovers and CodeLens tooltips, the Markdown export
 * (extension and webview) and the CLI's `setup` line.
 */
import type { Scenario } from '../core/scenario.ts';
import { percentLabel, tokensLabel } from './labels.ts';

/** Tokens of one full-length request (vLLM: --max-model-len, prompt and output together). */
export function requestTokens(s: Scenario): number {
  return s.seq + (s.mode === 'inference' ? s.newTokens : 0);
}

/**
 * "training, batch 2, seq 4K, bf16, adamw-fused, grad checkpointing, LoRA r=16"; a scenario on the vLLM runtime:
 * "vLLM, max 64 seqs, max len 32K, bf16, 90% of the GPU, 8,192 batched tokens". The weights dtype is named when it
 * differs from the precision; gradient accumulation when there is more than one micro-batch per step.
 */
export function scenarioSummary(s: Scenario): string {
  return (s.mode === 'inference' && s.runtime === 'vllm' ? vllmParts(s) : pytorchParts(s)).join(', ');
}

function vllmParts(s: Scenario): string[] {
  const parts = ['vLLM', `max ${s.batch} seqs`, `max len ${tokensLabel(requestTokens(s))}`, s.precision];
  if (s.weightsDtype && s.weightsDtype !== s.precision) parts.push(`weights ${s.weightsDtype}`);
  if (s.kvDtype !== 'auto') parts.push(`KV ${s.kvDtype}`);
  parts.push(`${percentLabel(s.gpuMemoryUtilization)} of the GPU`, s.maxNumBatchedTokens === null ? 'default batched tokens' : `${s.maxNumBatchedTokens.toLocaleString('en-US')} batched tokens`);
  return parts;
}

function pytorchParts(s: Scenario): string[] {
  const parts: string[] = [s.mode, `batch ${s.batch}`, `seq ${tokensLabel(s.seq)}`];
  if (s.mode === 'inference' && s.newTokens) parts.push(`+${tokensLabel(s.newTokens)} new`);
  parts.push(s.precision);
  if (s.weightsDtype && s.weightsDtype !== s.precision) parts.push(`weights ${s.weightsDtype}`);
  if (s.mode === 'training') {
    parts.push(s.optimizer);
    if (s.gradCheckpointing) parts.push('grad checkpointing');
    if (s.gradAccumulation > 1) parts.push(`${s.gradAccumulation} micro-batches per step`);
    if (s.loraRank) parts.push(`LoRA r=${s.loraRank}`);
  } else if (s.kvDtype !== 'auto') parts.push(`KV ${s.kvDtype}`);
  return [...parts, ...worldParts(s)];
}

/** "8 GPUs", "DeepSpeed ZeRO-3", "optimizer on cpu", "tp 2": only what differs from one GPU without offload. */
export function worldParts(s: Scenario): string[] {
  const parts: string[] = [];
  if (s.gpus > 1) parts.push(`${s.gpus} GPUs${s.gpus > s.gpusPerNode ? ` (${s.gpusPerNode} per node)` : ''}`);
  if (s.mode === 'training' && (s.zero > 0 || s.runtime === 'deepspeed')) parts.push(`${s.runtime === 'deepspeed' ? 'DeepSpeed ' : ''}ZeRO-${s.zero}`);
  for (const k of ['tp', 'pp', 'ep', 'cp'] as const) if (s[k] > 1) parts.push(`${k} ${s[k]}`);
  if (s.mode === 'training' && s.offloadOptimizer !== 'none') parts.push(`optimizer on ${s.offloadOptimizer}`);
  if (s.mode === 'training' && s.offloadParams !== 'none') parts.push(`parameters on ${s.offloadParams}`);
  return parts;
}
