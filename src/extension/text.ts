/**
 * Text shown in the editor: CodeLens titles and hover markdown (the Markdown export and the labels shared with the
 * webview are in src/shared). Pure: the numbers come from the engine (re-run with one thing changed), the extension
 * only places the strings.
 */
import { vllmEngineDefaults, formatBytes, formatSeconds, timeSummary, type Estimate } from '../core/index.ts';
import { countLabel, percentLabel, shortGpuName, signedBytes, tokensLabel } from '../shared/labels.ts';
import { requestTokens, scenarioSummary } from '../shared/scenario-summary.ts';
import { escapeMarkdown } from '../shared/markdown.ts';
import { METHOD_HOVER_KEYS, methodContribution } from './method-hovers.ts';
import { distCodeLensTitle, distContribution, isDistKey, isDistributed } from './text-dist.ts';
import { ACTIVATION_TERMS, OPTIMIZER_TERMS, profileRunBytes, rerun, rerunConfig, termBytes, weightsBytes, type Analysis } from './analysis.ts';

/**
 * "≈ 41.3 GiB peak per GPU · fits H100 80GB" (the e2e test reads this format). A scenario on the vLLM runtime says
 * how many full-length requests its KV pool holds at once instead: "≈ 31 × 32K requests at once · KV pool 55.5 GiB ·
 * fits H100 80GB at 90%".
 */
export function codeLensTitle(a: Pick<Analysis, 'estimate' | 'gpu' | 'fits'>): string {
  const time = lensTime(a.estimate);
  return memoryLensTitle(a) + (time ? ` · ${time}` : '');
}

/** The time part of a CodeLens: "≈ 0.52 s/step · 15.7k tokens/s", or "TTFT at 32K ≈ 1.9 s" for a vLLM scenario. */
export function lensTime(e: Estimate): string | null {
  const t = e.time;
  if (t.reason) return null;
  if (e.scenario.runtime === 'vllm' && t.ttft_s !== undefined) return `TTFT at ${tokensLabel(e.scenario.seq)} ≈ ${formatSeconds(t.ttft_s)}`;
  return timeSummary(t);
}

/** The hover's time line: expected time, the roofline bound, or why there is none. */
export function timeLine(e: Estimate): string {
  const t = e.time;
  if (t.reason) return `**Time:** not computed — ${t.reason}`;
  const ttft = e.scenario.mode === 'inference' && t.ttft_s !== undefined ? ` · TTFT at ${tokensLabel(e.scenario.seq)} ≈ ${formatSeconds(t.ttft_s)}` : '';
  return `**Time:** ${timeSummary(t) ?? '—'}${ttft} (expected; roofline bound ${timeSummary(e.roofline) ?? '—'})`;
}

function memoryLensTitle(a: Pick<Analysis, 'estimate' | 'gpu' | 'fits'>): string {
  if (a.estimate.scenario.runtime === 'vllm') return vllmCodeLensTitle(a);
  if (isDistributed(a.estimate)) return distCodeLensTitle(a);
  const head = `≈ ${formatBytes(a.estimate.memory.peak_bytes)} peak per GPU`;
  if (!a.gpu) return head;
  const name = shortGpuName(a.gpu);
  if (a.fits) return `${head} · fits ${name}`;
  return `${head} · does not fit ${name} (needs ${formatBytes(a.estimate.memory.device_bytes)})`;
}

/** KV bytes of one full-length request when no GPU sizes a pool (the engine's KV term holds every sequence). */
function kvPerRequestNoGpu(e: Estimate): number {
  return Math.round(termBytes(e, 'kv_cache') / Math.max(1, e.scenario.batch));
}

function vllmCodeLensTitle(a: Pick<Analysis, 'estimate' | 'gpu' | 'fits'>): string {
  const e = a.estimate;
  const s = e.scenario;
  const len = tokensLabel(requestTokens(s));
  const sv = e.memory.serving;
  if (!a.gpu || !sv) {
    const per = kvPerRequestNoGpu(e);
    const kvAll = per * s.batch;
    const one = e.memory.device_bytes - kvAll + per;
    return `≈ ${formatBytes(one)} for one ${len} request (KV ${formatBytes(per)} per request) · no target GPU`;
  }
  const at = `${shortGpuName(a.gpu)} at ${percentLabel(s.gpuMemoryUtilization)}`;
  if (a.fits) return `≈ ${sv.max_concurrency} × ${len} requests at once · KV pool ${formatBytes(sv.kv_pool_bytes)} · fits ${at}`;
  return `≈ 0 × ${len} requests at once · does not fit ${at} (one ${len} request needs ${formatBytes(sv.kv_bytes_per_request)}, pool ${formatBytes(sv.kv_pool_bytes)})`;
}

export function totalLine(a: Analysis): string {
  const m = a.estimate.memory;
  const sv = m.serving;
  if (a.gpu && sv) {
    const s = a.scenario;
    const len = tokensLabel(requestTokens(s));
    const head = `**Total:** ≈ ${formatBytes(m.device_bytes)} on the GPU (vLLM takes ${percentLabel(s.gpuMemoryUtilization)} of ${shortGpuName(a.gpu)}): KV pool ${formatBytes(sv.kv_pool_bytes)}`;
    return a.fits
      ? `${head}, ${sv.max_concurrency} × ${len} requests at once · fits`
      : `${head} · **does not fit** one ${len} request (${formatBytes(sv.kv_bytes_per_request)})`;
  }
  let s = `**Total:** ≈ ${formatBytes(m.peak_bytes)} peak per GPU (${formatBytes(m.device_bytes)} with CUDA context and allocator)`;
  if (a.gpu) {
    const free = a.gpu.memoryBytes - m.device_bytes;
    s += a.fits
      ? ` · fits ${shortGpuName(a.gpu)} (${formatBytes(free)} free)`
      : ` · **does not fit** ${shortGpuName(a.gpu)} (${formatBytes(-free)} over)`;
  }
  return s;
}

/** "would change the peak by +1.2 GiB" / "would not change the peak". */
function change(d: number | null): string {
  if (d === null) return '';
  return d === 0 ? 'would not change the peak' : `would change the peak by ${signedBytes(d)}`;
}

const norm = (key: string) => key.replace(/^-+/, '').replace(/-/g, '_').toLowerCase();

/** Keys a hover explains; others get no hover. */
export const HOVER_KEYS = new Set([
  'num_key_value_heads', 'num_attention_heads', 'head_dim', 'hidden_size', 'num_hidden_layers', 'vocab_size',
  'max_position_embeddings', 'torch_dtype', 'dtype', 'intermediate_size', 'tie_word_embeddings', 'sliding_window',
  'sequence_len', 'cutoff_len', 'max_model_len', 'micro_batch_size', 'per_device_train_batch_size', 'max_num_seqs',
  'lora_r', 'lora_rank', 'adapter', 'finetuning_type', 'gradient_checkpointing', 'disable_gradient_checkpointing',
  'bf16', 'fp16', 'pure_bf16', 'optimizer', 'optim', 'kv_cache_dtype', 'gpu_memory_utilization', 'max_num_batched_tokens', 'base_model',
  'model_name_or_path', 'model', 'num_experts', 'num_local_experts', 'n_routed_experts', 'moe_intermediate_size',
  ...METHOD_HOVER_KEYS,
]);

export function isHoverKey(key: string): boolean {
  return isDistKey(key) || HOVER_KEYS.has(norm(key.split('.').pop() ?? key));
}

/** What one key contributes, as a markdown sentence; null when the key has nothing to say in this analysis. */
export function keyContribution(key: string, a: Analysis): string | null {
  const k = norm(key.split('.').pop() ?? key);
  const s = a.scenario;
  if (s.mode === 'inference' && s.runtime === 'vllm' && VLLM_KEYS.has(k)) return vllmContribution(k, a);
  if (isDistKey(key)) return distContribution(key, a);
  return architectureContribution(k, key, a) ?? workloadContribution(k, a) ?? trainingContribution(k, a) ?? methodContribution(k, a);
}

/** The peak of a re-run minus this peak (null when the re-run failed). */
function peakDelta(a: Analysis, alt: Estimate | null): number | null {
  return alt ? alt.memory.peak_bytes - a.estimate.memory.peak_bytes : null;
}

/** Keys of the model config: what the architecture costs at this scenario. */
function architectureContribution(k: string, key: string, a: Analysis): string | null {
  const e = a.estimate;
  const s = a.scenario;
  const kvpt = e.memory.kv_bytes_per_token;
  const weights = weightsBytes(e);
  switch (k) {
    case 'num_key_value_heads':
    case 'head_dim':
    case 'num_attention_heads': {
      const ctx = a.spec.maxPositions ?? s.seq;
      const kvLine = `KV cache ${formatBytes(kvpt)}/token → ${formatBytes(kvpt * ctx)} at ${tokensLabel(ctx)} context, batch 1`;
      if (k === 'num_attention_heads' && a.spec.kvHeads !== a.spec.heads) return `${a.spec.heads} query heads share ${a.spec.kvHeads} KV heads (GQA): ${kvLine}.`;
      return `${kvLine}; ${formatBytes(kvpt * s.seq * s.batch)} at this scenario (${tokensLabel(s.seq)} × batch ${s.batch}).`;
    }
    case 'max_position_embeddings': {
      const n = a.spec.maxPositions ?? s.seq;
      return `Full context of ${tokensLabel(n)} tokens → KV cache ${formatBytes(kvpt * n)} per sequence (${formatBytes(kvpt)}/token).`;
    }
    case 'hidden_size':
      return `Width of every layer: weights ${formatBytes(weights)} (${countLabel(e.params.total)} params); activations and KV grow linearly with it.`;
    case 'num_hidden_layers': {
      const L = a.spec.layers;
      const d = L > 1 ? peakDelta(a, rerunConfig(a, { num_hidden_layers: L - 1 })) : null;
      return d === null ? `${L} layers.` : `Each of the ${L} layers adds ≈ ${formatBytes(-d)} at this scenario (weights, ${s.mode === 'training' ? 'gradients, optimizer state, activations' : 'KV cache'}).`;
    }
    case 'vocab_size': {
      const bpp = e.params.total > 0 ? weights / e.params.total : 2;
      const emb = a.spec.params.embedding;
      const head = a.spec.tiedEmbeddings ? 0 : emb;
      const logits = termBytes(e, 'logits');
      let t = `Embedding ${countLabel(emb)} params${head ? ` + untied lm_head ${countLabel(head)}` : ' (tied with lm_head)'} → ${formatBytes(Math.round((emb + head) * bpp))} of weights`;
      if (logits) t += `; logits at this scenario ${formatBytes(logits)}`;
      return `${t}.`;
    }
    case 'torch_dtype':
    case 'dtype': {
      if (s.mode === 'training' || (key.startsWith('--') && a.kind === 'vllm')) {
        return `Weights ${formatBytes(weights)} for ${countLabel(e.params.total)} params at ${s.weightsDtype ?? s.precision}.`;
      }
      return `Weights stored as ${a.spec.configDtype ? escapeMarkdown(a.spec.configDtype) : 'the config dtype'}: ${formatBytes(weights)} for ${countLabel(e.params.total)} params.`;
    }
    case 'intermediate_size':
    case 'moe_intermediate_size': {
      const mlp = a.spec.tensors.filter((t) => /gate|up_proj|down_proj|fc1|fc2|c_fc|mlp|dense_h_to_4h|dense_4h_to_h|w1|w2|w3/.test(`${t.module ?? ''} ${t.name}`));
      const n = mlp.reduce((acc, t) => acc + t.numel * t.count, 0);
      const bpp = e.params.total > 0 ? weights / e.params.total : 2;
      return `MLP weights: ${countLabel(n)} params (${Math.round((100 * n) / Math.max(1, e.params.total))}% of the model) → ${formatBytes(Math.round(n * bpp))}.`;
    }
    case 'tie_word_embeddings':
      return a.spec.tiedEmbeddings
        ? `Input and output embeddings share one matrix (${countLabel(a.spec.params.embedding)} params counted once).`
        : `Separate lm_head: ${countLabel(a.spec.params.embedding)} more params than a tied model.`;
    case 'num_experts':
    case 'num_local_experts':
    case 'n_routed_experts':
      return a.spec.moe ? `${a.spec.moe.experts} experts, ${a.spec.moe.topK} active per token: all are held in memory (${countLabel(e.params.total)} params, ${countLabel(e.params.active)} active).` : null;
    case 'sliding_window':
      return `Layers with a sliding window keep at most that many tokens of KV cache.`;
    case 'base_model':
    case 'model_name_or_path':
    case 'model':
      return `${escapeMarkdown(a.spec.modelType)} (${escapeMarkdown(a.spec.adapter)}): ${countLabel(e.params.total)} params, ${a.spec.layers} layers, hidden ${a.spec.hidden}, ${a.spec.heads} heads / ${a.spec.kvHeads} KV heads, vocab ${a.spec.vocab}.${a.modelSource ? ` Config from ${escapeMarkdown(a.modelSource)}.` : ''}`;
    default:
      return null;
  }
}

/** Keys of the workload: sequence length, batch and the KV cache dtype. */
function workloadContribution(k: string, a: Analysis): string | null {
  const e = a.estimate;
  const s = a.scenario;
  const kvpt = e.memory.kv_bytes_per_token;
  switch (k) {
    case 'sequence_len':
    case 'cutoff_len':
    case 'max_model_len': {
      const half = Math.max(1, Math.floor(s.seq / 2));
      const d = peakDelta(a, rerun(a, { seq: half }));
      const seqTerms = termBytes(e, s.mode === 'training' ? ACTIVATION_TERMS : 'kv_cache');
      const what = s.mode === 'training' ? 'activations' : 'KV cache';
      if (d === 0) return `${tokensLabel(s.seq)} tokens per sequence; the peak is at "${e.memory.peak_phase}", which does not depend on it (${what} are smaller).`;
      return `${tokensLabel(s.seq)} tokens per sequence: ${what} ${formatBytes(seqTerms)}${d !== null ? `; ${tokensLabel(half)} ${change(d)}` : ''}.`;
    }
    case 'micro_batch_size':
    case 'per_device_train_batch_size':
    case 'max_num_seqs': {
      const alt = s.batch > 1 ? rerun(a, { batch: s.batch - 1 }) : rerun(a, { batch: 2 });
      if (!alt) return null;
      const per = Math.abs(alt.memory.peak_bytes - e.memory.peak_bytes);
      const unit = k === 'max_num_seqs' ? 'sequence (at full length)' : 'sequence';
      const n = `${s.batch} sequence${s.batch === 1 ? '' : 's'} per step`;
      if (per === 0) return `${n}; the peak is at "${e.memory.peak_phase}", which does not depend on it.`;
      return `${n}; each ${unit} adds ≈ ${formatBytes(per)}.`;
    }
    case 'kv_cache_dtype': {
      const kv = termBytes(e, 'kv_cache');
      return `KV cache ${formatBytes(kvpt)}/token in ${s.kvDtype}: ${formatBytes(kv)} for ${s.batch} × ${tokensLabel(s.seq)} tokens.`;
    }
    default:
      return null;
  }
}

/** Keys of a training setup: LoRA, checkpointing, precision, optimizer and accumulation. */
function trainingContribution(k: string, a: Analysis): string | null {
  const e = a.estimate;
  const s = a.scenario;
  const weights = weightsBytes(e);
  switch (k) {
    case 'lora_r':
    case 'lora_rank':
    case 'adapter':
    case 'finetuning_type': {
      if (s.mode !== 'training') return null;
      if (s.loraRank) {
        const lora = termBytes(e, 'lora_adapters');
        const full = rerun(a, { loraRank: null });
        const saved = full ? full.memory.peak_bytes - e.memory.peak_bytes : null;
        return `LoRA rank ${s.loraRank}: ${countLabel(e.params.trainable)} trainable params${lora ? `, adapters and their optimizer state ${formatBytes(lora)}` : ''}${saved !== null ? `; full fine-tuning would need ${signedBytes(saved)}` : ''}.`;
      }
      // LLaMA-Factory upcasts trainable weights to fp32 only for full tuning: its LoRA keeps a 16-bit base.
      const base = a.kind === 'llamafactory' && s.precision.startsWith('amp-') ? { precision: s.precision.slice(4) as 'bf16' | 'fp16' } : {};
      const lo = rerun(a, { loraRank: 16, ...base });
      return lo ? `Full fine-tuning of ${countLabel(e.params.trainable)} params; LoRA rank 16 ${change(lo.memory.peak_bytes - e.memory.peak_bytes)}.` : null;
    }
    case 'gradient_checkpointing':
    case 'disable_gradient_checkpointing': {
      if (s.mode !== 'training') return null;
      const alt = rerun(a, { gradCheckpointing: !s.gradCheckpointing });
      if (!alt) return null;
      const d = alt.memory.peak_bytes - e.memory.peak_bytes;
      return s.gradCheckpointing
        ? `Gradient checkpointing is on: it saves ${formatBytes(d)} of activations (peak without it: ${formatBytes(alt.memory.peak_bytes)}).`
        : `Gradient checkpointing is off: turning it on would save ${formatBytes(-d)} (peak ${formatBytes(alt.memory.peak_bytes)}).`;
    }
    case 'bf16':
    case 'fp16':
    case 'pure_bf16': {
      const alt = rerun(a, { precision: 'fp32' });
      return `Precision ${s.precision}: weights ${formatBytes(weights)}${alt && s.precision !== 'fp32' ? `; fp32 ${change(alt.memory.peak_bytes - e.memory.peak_bytes)}` : ''}.`;
    }
    case 'optimizer':
    case 'optim': {
      if (s.mode !== 'training') return null;
      const opt = termBytes(e, OPTIMIZER_TERMS);
      const adam = s.optimizer.startsWith('adamw');
      const alt = rerun(a, { optimizer: adam ? 'sgd' : 'adamw' });
      return `${s.optimizer} state: ${formatBytes(opt)}${alt ? `; ${adam ? 'plain SGD' : 'AdamW'} ${change(alt.memory.peak_bytes - e.memory.peak_bytes)}` : ''}.`;
    }
    case 'gradient_accumulation_steps': {
      if (s.mode !== 'training') return null;
      if (s.gradAccumulation <= 1) return 'One micro-batch per optimizer step: the gradients are freed after every step.';
      const one = rerun(a, { gradAccumulation: 1 });
      const grads = termBytes(e, 'gradients');
      return `${s.gradAccumulation} micro-batches per optimizer step: the gradients (${formatBytes(grads)}) stay allocated from one micro-batch to the next${one ? `; without accumulation ${change(one.memory.peak_bytes - e.memory.peak_bytes)}` : ''}.`;
    }
    default:
      return null;
  }
}

const VLLM_KEYS = new Set(['max_model_len', 'max_num_seqs', 'gpu_memory_utilization', 'max_num_batched_tokens', 'kv_cache_dtype']);

/** "31 at once" / "none fits" / "2.00 GiB per request" for a re-run, as the vLLM runtime sees it. */
function atOnce(e: Estimate | null): string {
  if (!e) return 'invalid';
  const sv = e.memory.serving;
  if (!sv) return `KV ${formatBytes(kvPerRequestNoGpu(e))} per request`;
  return e.memory.fits ? `${sv.max_concurrency} at once` : 'none fits';
}

/**
 * What a vLLM option changes, from re-runs of the engine's vLLM runtime: the KV of one full-length request, the
 * pool --gpu-memory-utilization leaves, and how many full-length requests it holds at once.
 */
function vllmContribution(k: string, a: Analysis): string | null {
  const e = a.estimate;
  const s = a.scenario;
  const sv = e.memory.serving;
  const reqTok = requestTokens(s);
  const len = tokensLabel(reqTok);
  const perReq = sv ? sv.kv_bytes_per_request : kvPerRequestNoGpu(e);
  const pool = sv
    ? e.memory.fits
      ? `pool ${formatBytes(sv.kv_pool_bytes)} fits ${sv.max_concurrency} at once`
      : `pool ${formatBytes(sv.kv_pool_bytes)} holds none: one request does not fit`
    : `all ${s.batch} at full length ${formatBytes(perReq * s.batch)} (no target GPU sizes a pool)`;
  switch (k) {
    case 'max_model_len': {
      const half = Math.max(1, Math.floor(s.seq / 2));
      const alt = rerun(a, { seq: half });
      return `KV per ${len} request ${formatBytes(perReq)}; ${pool}; at ${tokensLabel(half + (reqTok - s.seq))}: ${atOnce(alt)}.`;
    }
    case 'max_num_seqs': {
      const head = `At most ${s.batch} sequences per scheduler step`;
      if (!sv) return `${head}; ${pool}.`;
      const queue = e.memory.fits && sv.max_concurrency < s.batch ? `: ${sv.max_concurrency} of ${s.batch} full-length (${len}) requests fit at once, vLLM queues the rest` : e.memory.fits ? `: all ${s.batch} fit at the full ${len} (room for ${sv.max_concurrency})` : '';
      const other = s.batch > 1 ? Math.max(1, Math.floor(s.batch / 2)) : 2;
      const alt = rerun(a, { batch: other });
      const altPool = alt?.memory.serving ? `; at ${other}: pool ${formatBytes(alt.memory.serving.kv_pool_bytes)}, ${atOnce(alt)}` : '';
      return `${head}${queue}. The profile run (one step's activations and the sampler over ${s.batch} rows: ${formatBytes(profileRunBytes(e))}) comes out of the pool${altPool}.`;
    }
    case 'gpu_memory_utilization': {
      const u = s.gpuMemoryUtilization;
      const altU = u + 0.05 <= 1 + 1e-9 ? Math.round((u + 0.05) * 100) / 100 : Math.round((u - 0.05) * 100) / 100;
      const alt = altU > 0 ? rerun(a, { gpuMemoryUtilization: altU }) : null;
      if (!a.gpu || !sv) return `vLLM takes ${percentLabel(u)} of the GPU for weights, its profile run and the KV pool (no target GPU set).`;
      return `vLLM takes ${percentLabel(u)} of ${shortGpuName(a.gpu)} = ${formatBytes(sv.budget_bytes)}: weights ${formatBytes(weightsBytes(e))}, profile run ${formatBytes(profileRunBytes(e))}, KV ${pool}${alt ? `; at ${percentLabel(altU)}: ${atOnce(alt)}` : ''}.`;
    }
    case 'max_num_batched_tokens': {
      const n = s.maxNumBatchedTokens ?? vllmEngineDefaults(a.gpu).maxNumBatchedTokens;
      const half = Math.max(1, Math.floor(n / 2));
      const alt = rerun(a, { maxNumBatchedTokens: half });
      const altPool = alt?.memory.serving ? `; at ${half.toLocaleString('en-US')}: pool ${formatBytes(alt.memory.serving.kv_pool_bytes)}, ${atOnce(alt)}` : '';
      return `${n.toLocaleString('en-US')} tokens per scheduler step: vLLM's profile run over them (${formatBytes(profileRunBytes(e))} with the sampler) comes out of the KV pool${sv ? ` (${pool})` : ''}${altPool}.`;
    }
    case 'kv_cache_dtype': {
      const other = s.kvDtype === 'fp8' ? 'auto' : 'fp8';
      const alt = rerun(a, { kvDtype: other });
      const altPer = alt ? (alt.memory.serving?.kv_bytes_per_request ?? kvPerRequestNoGpu(alt)) : null;
      return `KV cache in ${s.kvDtype === 'auto' ? `auto (${s.precision})` : s.kvDtype}: ${formatBytes(perReq)} per ${len} request, ${sv ? (e.memory.fits ? `${sv.max_concurrency} at once` : 'none fits') : `${formatBytes(perReq * s.batch)} for all ${s.batch}`}${alt && altPer !== null ? `; ${other === 'auto' ? `auto (${s.precision})` : 'fp8'}: ${formatBytes(altPer)} per request${alt.memory.serving ? `, ${atOnce(alt)}` : ''}` : ''}.`;
    }
    default:
      return null;
  }
}

/**
 * The full hover: contribution, total, scenario, and a command link opening the breakdown on this file. Every value
 * that comes from a workspace file (the key, a dtype, a model type, a path) is escaped (`escapeMarkdown`): the
 * Markdown is trusted only for the extension's own command, so a file can add no link, image or HTML.
 */
export function hoverMarkdown(key: string, a: Analysis, commandUri?: string): string | null {
  if (!isHoverKey(key)) return null;
  const c = keyContribution(key, a);
  if (!c) return null;
  const lines = [`**${escapeMarkdown(key)}** — ${c}`, '', totalLine(a), '', timeLine(a.estimate), '', `_${scenarioSummary(a.scenario)}_`];
  if (commandUri) lines.push('', `[$(graph) Show memory breakdown](${commandUri})`);
  return lines.join('\n');
}
