/**
 * Composes the memory terms into the phases of a step and reports the peak phase.
 * Parse once (readModelConfig), estimate many (estimateSpec): this file is pure arithmetic.
 */
import type { ModelSpec, Term } from './types.ts';
import type { Estimate } from './report.ts';
import { ScenarioError, type Scenario } from './scenario.ts';
import { FLOAT_BYTES, STORAGE, isQuantized, precisionPlan } from './dtypes.ts';
import { RUNTIMES, type RuntimeProfile } from './runtime.ts';
import { findGpu, type Gpu } from './roofline/hardware.ts';
import { makeTerm, sumBytes } from './memory/term.ts';
import { servingWeightsDtype, splitParams, weightsTerm } from './memory/weights.ts';
import { kvBytesPerToken, kvCacheTerm, kvShape } from './memory/kv-cache.ts';
import { inferencePeakPerToken, moeLayerCount, total, trainingFinalParts, trainingLayerParts, type ActContext, type Parts } from './memory/activations.ts';
import { inferenceLogitsTerm, trainingLogitsTerm } from './memory/logits.ts';
import { servingVllm } from './serving.ts';
import { workspaceTerm, type Composition, type Phase } from './phases.ts';
import { gradientsTerm, optimizerStatesTerm, optimizerTempsTerm } from './memory/optimizer.ts';
import { loraParams } from './memory/lora.ts';
import { layerDims } from './memory/dims.ts';

export interface EstimateOptions {
  /** User-defined GPUs (settings), searched before the catalog. */
  customGpus?: readonly Gpu[];
}

const ACT_SOURCE = 'saved-tensor inventory of PyTorch autograd per layer (after Korthikanti et al., arXiv 2205.05198 §4); calibrated on test/fixtures/measured';

/** "norms 12288 B, attention q,k,v,out 10240 B, …" (bytes per token) for a term's note. */
function partsNote(parts: Parts): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k} ${v} B`)
    .join(', ');
}

function attentionLabel(spec: ModelSpec): string {
  if (spec.mla) return 'MLA';
  const kinds = kvShape(spec);
  let base = spec.kvHeads === spec.heads ? 'MHA' : spec.kvHeads === 1 ? 'MQA' : `GQA ${spec.heads}/${spec.kvHeads}`;
  if (kinds.slidingLayers > 0) base += ` + sliding window ${kinds.window} on ${kinds.slidingLayers}/${spec.layers} layers`;
  return base;
}

/** Whether attention materializes heads × seq² scores (SDPA's math kernel) for this model and compute dtype. */
function usesMathAttention(spec: ModelSpec, compute: string, rt: RuntimeProfile, warnings: string[]): boolean {
  if (rt.mathAttention.inferencePeak === 0) return false; // the runtime has its own attention kernels
  const why = spec.block.sdpaMath ? 'for this model' : compute === 'fp32' && rt.fp32UsesMathAttention ? 'in fp32' : null;
  if (why) warnings.push(`attention runs SDPA's math kernel ${why} in ${rt.label}: heads × seq² scores are materialized`);
  return why !== null;
}

function resolveGpu(id: string | null, opts: EstimateOptions): Gpu | null {
  if (id === null) return null;
  const g = findGpu(id, opts.customGpus);
  if (!g) throw new ScenarioError(`gpu: unknown GPU "${id}" (see \`llm-footprint gpus\`)`, 'gpu');
  return g;
}

export function estimateSpec(spec: ModelSpec, sc: Scenario, opts: EstimateOptions = {}): Estimate {
  const rt = RUNTIMES[sc.runtime]!;
  const gpu = resolveGpu(sc.gpu, opts);
  const warnings: string[] = [...spec.assumptions];
  if (spec.maxPositions !== null && sc.seq + (sc.mode === 'inference' ? sc.newTokens : 0) > spec.maxPositions) {
    warnings.push(`sequence of ${sc.seq + (sc.mode === 'inference' ? sc.newTokens : 0)} tokens exceeds max_position_embeddings ${spec.maxPositions}`);
  }
  if (spec.moe) warnings.push('MoE activations assume balanced routing (top-k tokens per expert on average)');
  if (sc.runtime === 'vllm') {
    if (sc.mode === 'training') throw new ScenarioError('runtime: vllm serves models; training needs the pytorch runtime', 'runtime');
    if (sc.logits === 'all') throw new ScenarioError('logits: vllm computes logits of the last position only', 'logits');
  }
  const r = sc.mode === 'training' ? training(spec, sc, rt, warnings) : sc.runtime === 'vllm' ? servingVllm(spec, sc, rt, gpu, warnings) : inference(spec, sc, rt, warnings);

  let peakPhase = r.phases[0]!;
  let peak = -1;
  const phases = r.phases.map((p) => {
    const bytes = sumBytes(p.terms);
    if (bytes > peak) {
      peak = bytes;
      peakPhase = p;
    }
    return { phase: p.name, bytes };
  });
  const terms = peakPhase.terms.filter((t) => t.bytes > 0 || t.id === 'weights');
  const persistent = terms.filter((t) => r.persistentIds.has(t.id)).reduce((s, t) => s + t.bytes, 0);
  const transient = peak - persistent;
  const slack = r.reserveBytes ?? Math.round(transient * rt.allocatorSlackFraction);
  const deviceTerms: Term[] = [
    makeTerm(
      {
        id: 'cuda_context',
        label: 'CUDA context and kernels',
        formula: 'context_bytes',
        inputs: { context_bytes: rt.cudaContextBytes },
        source: rt.source,
        note: 'outside the caching allocator; depends on GPU, driver and CUDA version',
      },
      rt.cudaContextBytes,
    ),
    makeTerm(
      {
        id: 'allocator_reserve',
        label: 'Allocator reserve',
        ...(r.reserveBytes !== undefined
          ? {
              formula: 'profile_peak_bytes',
              inputs: { profile_peak_bytes: r.reserveBytes },
              source: rt.source,
              note: "the profile run's activations stay reserved by the caching allocator",
            }
          : {
              formula: 'round(transient_bytes * slack_fraction)',
              inputs: { transient_bytes: transient, slack_fraction: rt.allocatorSlackFraction },
              source: 'PyTorch caching allocator: reserved − allocated across the calibration runs',
              note: 'cached blocks and fragmentation above the live peak',
            }),
      },
      slack,
    ),
  ];
  const device = peak + sumBytes(deviceTerms);
  const host = sumBytes(terms.filter((t) => t.where === 'cpu'));
  const gpuTerms = terms.filter((t) => t.where === 'gpu');
  return {
    model: {
      type: spec.modelType,
      adapter: spec.adapter,
      hidden_size: spec.hidden,
      layers: spec.layers,
      heads: spec.heads,
      kv_heads: spec.kvHeads,
      head_dim: spec.headDim,
      vocab_size: spec.vocab,
      attention: attentionLabel(spec),
      moe: spec.moe ? { experts: spec.moe.experts, top_k: spec.moe.topK } : null,
    },
    params: { total: spec.params.total, trainable: r.trainable, embedding: spec.params.embedding, active: spec.params.active },
    scenario: sc,
    memory: {
      peak_bytes: sumBytes(gpuTerms),
      device_bytes: device,
      fits: gpu ? (r.fits ?? device <= gpu.memoryBytes) : null,
      gpu: gpu ? { id: gpu.id, name: gpu.name, memory_bytes: gpu.memoryBytes } : null,
      host_bytes: host,
      peak_phase: peakPhase.name,
      phases,
      terms,
      device_terms: deviceTerms,
      kv_bytes_per_token: r.kvPerToken,
      serving: r.serving ?? null,
    },
    warnings,
  };
}


function inference(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, warnings: string[]): Composition {
  const plan = precisionPlan(sc.precision);
  const a = FLOAT_BYTES[plan.compute];
  const r = plan.autocast ? 4 : a;
  const wDtype = servingWeightsDtype(spec, sc, plan.param, warnings);
  const kvBytes = sc.kvDtype === 'auto' ? a : FLOAT_BYTES[sc.kvDtype];
  const weights = [weightsTerm(spec, wDtype, plan.compute === 'fp32' ? 'fp32' : plan.compute)];
  if (sc.loraRank !== null) {
    const n = loraParams(spec, sc.loraRank);
    weights.push(
      makeTerm(
        {
          id: 'lora_adapters',
          label: 'LoRA adapters (unmerged)',
          formula: 'adapter_params * 4',
          inputs: { adapter_params: n },
          source: 'LoRA §4 (arXiv 2106.09685); PEFT keeps adapters in fp32',
        },
        n * 4,
      ),
    );
  }
  const ws = workspaceTerm(rt, 1);
  const b = sc.batch;
  const T = b * sc.seq;
  const math = usesMathAttention(spec, plan.compute, rt, warnings);
  const scores = math ? Math.round(rt.mathAttention.inferencePeak * spec.heads * sc.seq) : 0;
  const perTok = inferencePeakPerToken(spec, a, r, scores);
  const scoring = sc.logits === 'all';
  const kvPrefill = scoring ? null : kvCacheTerm(spec, b, sc.seq, kvBytes, rt);
  const act = makeTerm(
    {
      id: 'activations',
      label: 'Activations (largest layer, transient)',
      formula: 'tokens * peak_bytes_per_token',
      inputs: { tokens: T, peak_bytes_per_token: perTok },
      source: 'tensors alive at once in one decoder layer under no_grad (layer input, embeddings, residual, MLP intermediates); calibrated on test/fixtures/measured',
    },
    T * perTok,
  );
  const phases: Phase[] = [
    { name: 'prefill', terms: [...weights, ...(kvPrefill ? [kvPrefill] : []), act, ws] },
    {
      name: scoring ? 'logits' : 'prefill logits',
      terms: [...weights, ...(kvPrefill ? [kvPrefill] : []), inferenceLogitsTerm(scoring ? T : b, spec.vocab, a, false, spec.hidden, spec.logitSoftcap), ws],
    },
  ];
  if (scoring && sc.newTokens > 0) throw new ScenarioError('newTokens: scoring every position (logits: all) generates no tokens', 'newTokens');
  if (!scoring && sc.newTokens > 0) {
    const ctx = sc.seq + sc.newTokens - 1;
    const kv = kvCacheTerm(spec, b, ctx, kvBytes, rt);
    const layerKv = Math.ceil(kv.bytes / Math.max(1, spec.layers) / (spec.mla ? 1 : 2));
    phases.push({
      name: 'decode',
      terms: [
        ...weights,
        kv,
        makeTerm(
          {
            id: 'kv_growth',
            label: 'KV cache growth (torch.cat copy of one layer)',
            formula: 'ceil(kv_bytes / layers / tensors_per_layer)',
            inputs: { kv_bytes: kv.bytes, layers: Math.max(1, spec.layers), tensors_per_layer: spec.mla ? 1 : 2 },
            source: 'transformers DynamicCache.update concatenates a new tensor per step',
          },
          layerKv,
        ),
        inferenceLogitsTerm(b, spec.vocab, a, true, spec.hidden, spec.logitSoftcap),
        ...(spec.moe && rt.moeDecodeGathersExperts ? [moeDecodeGather(spec, b, a, rt)] : []),
        ws,
      ],
    });
  }
  if (kvShape(spec).slidingLayers > 0 && !rt.slidingWindowCapsCache) {
    warnings.push(`${rt.label} keeps every token on sliding-window layers (no rolling buffer); serving engines such as vLLM cap them at the window`);
  }
  return { phases, persistentIds: new Set(['weights', 'lora_adapters', 'kv_cache']), trainable: 0, kvPerToken: kvBytesPerToken(spec, kvBytes) };
}

/** transformers' generate gathers each sequence's top-k experts' weights at every decode step (one MoE layer at a time). */
function moeDecodeGather(spec: ModelSpec, batch: number, a: number, rt: RuntimeProfile): Term {
  const moe = spec.moe!;
  const perExpert = 3 * spec.hidden * moe.expertIntermediate;
  return makeTerm(
    {
      id: 'moe_expert_gather',
      label: 'Gathered expert weights (decode step)',
      formula: 'batch * top_k * expert_params * weight_bytes',
      inputs: { batch, top_k: moe.topK, expert_params: perExpert, weight_bytes: a },
      source: rt.source + '; measured with scripts/calibrate/probe_moe.py (Mixtral: 0.70 GB at batch 1, 5.65 GB at batch 8)',
      note: 'a copy of the top-k experts\' gate, up and down weights for every sequence in the step',
    },
    batch * moe.topK * perExpert * a,
  );
}

function training(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, warnings: string[]): Composition {
  const plan = precisionPlan(sc.precision);
  const a = FLOAT_BYTES[plan.compute];
  const r = plan.autocast || plan.compute === 'fp32' ? 4 : a;
  const lora = sc.loraRank;
  if (sc.weightsDtype !== null && isQuantized(sc.weightsDtype)) {
    throw new ScenarioError(
      `weightsDtype: training with ${sc.weightsDtype} weights (QLoRA and quantized fine-tuning) is not supported yet`,
      'weightsDtype',
    );
  }
  if (lora === null && sc.weightsDtype !== null && STORAGE[sc.weightsDtype]!.blockBytes !== FLOAT_BYTES[plan.param]) {
    throw new ScenarioError(
      `weightsDtype: full training keeps parameters in ${plan.param} with precision ${sc.precision}; drop --weights-dtype or change --precision`,
      'weightsDtype',
    );
  }
  if (sc.logits === 'all') throw new ScenarioError('logits: applies to inference only', 'logits');
  if (sc.kvDtype !== 'auto') throw new ScenarioError('kvDtype: applies to inference only', 'kvDtype');
  const T = sc.batch * sc.seq;
  const gc = sc.gradCheckpointing;
  const ctx: ActContext = {
    a,
    r,
    autocast: plan.autocast,
    lora,
    keepsCache: rt.trainingForwardKeepsCache && !gc,
    ctxLen: sc.seq,
    mathSavedPerScore: 0,
  };
  const math = usesMathAttention(spec, plan.compute, rt, warnings);
  if (math) ctx.mathSavedPerScore = rt.mathAttention.saved;

  // Weights, trainable parameters, gradients and optimizer states.
  const baseDtype = sc.weightsDtype ?? plan.param;
  if (spec.quantization && sc.weightsDtype === null) {
    warnings.push(`the checkpoint is quantized (${spec.quantization.note}); training is estimated with its weights in ${plan.param} (QLoRA-style quantized training is not modelled yet)`);
  }
  const weights: Term[] = [weightsTerm(spec, baseDtype, plan.param, lora === null ? 'Weights' : 'Base weights (frozen)')];
  let trainable = spec.params.total;
  let trainBytes = FLOAT_BYTES[plan.param];
  if (lora !== null) {
    trainable = loraParams(spec, lora);
    trainBytes = 4;
    weights.push(
      makeTerm(
        {
          id: 'lora_adapters',
          label: 'LoRA adapters',
          formula: 'adapter_params * adapter_bytes',
          inputs: { adapter_params: trainable, adapter_bytes: 4 },
          source: 'LoRA §4.1 (arXiv 2106.09685): r·(in + out) per adapted layer; PEFT keeps adapters in fp32',
          note: `rank ${lora} on every decoder linear layer`,
        },
        trainable * 4,
      ),
    );
    if (spec.moe) warnings.push('LoRA on fused expert tensors is not modelled: experts stay frozen without adapters');
  }
  const grads = gradientsTerm(trainable, trainBytes);
  const states = optimizerStatesTerm(sc.optimizer, trainable, trainBytes);
  const temps = optimizerTempsTerm(sc.optimizer, trainable, trainBytes);
  const ws = workspaceTerm(rt, rt.workspaceThreadsTraining);

  // Activations.
  const d = layerDims(spec);
  const moeLayers = moeLayerCount(spec);
  const denseLayers = spec.layers - moeLayers;
  const denseParts = trainingLayerParts(spec, ctx, false, d);
  const moeParts = moeLayers > 0 ? trainingLayerParts(spec, ctx, true, d) : {};
  const finalParts = trainingFinalParts(spec, ctx);
  const perLayerDense = total(denseParts);
  const perLayerMoe = total(moeParts);
  const finalPerTok = total(finalParts);
  let acts: Term;
  let recompute: Term | null = null;
  if (!gc) {
    acts = makeTerm(
      {
        id: 'activations',
        label: 'Activations (saved for backward)',
        formula: 'tokens * (dense_layers * dense_layer_bytes + moe_layers * moe_layer_bytes + final_bytes)',
        inputs: { tokens: T, dense_layers: denseLayers, dense_layer_bytes: perLayerDense, moe_layers: moeLayers, moe_layer_bytes: perLayerMoe, final_bytes: finalPerTok },
        source: ACT_SOURCE,
        note: `per token per layer: ${partsNote(denseParts)}${moeLayers ? `; MoE layer: ${partsNote(moeParts)}` : ''}; after the layers: ${partsNote(finalParts)}`,
      },
      T * (denseLayers * perLayerDense + moeLayers * perLayerMoe + finalPerTok),
    );
  } else {
    acts = makeTerm(
      {
        id: 'activations',
        label: 'Activations (checkpoints)',
        formula: 'tokens * (layers * hidden * residual_bytes + final_bytes)',
        inputs: { tokens: T, layers: spec.layers, hidden: spec.hidden, residual_bytes: r, final_bytes: finalPerTok },
        source: 'gradient checkpointing keeps each layer input (Chen et al., arXiv 1604.06174); ' + ACT_SOURCE,
        note: `one ${r}-byte hidden state per token per layer; after the layers: ${partsNote(finalParts)}`,
      },
      T * (spec.layers * spec.hidden * r + finalPerTok),
    );
    const one = Math.max(perLayerDense, perLayerMoe);
    recompute = makeTerm(
      {
        id: 'activations_recompute',
        label: 'Recomputed layer (backward)',
        formula: 'tokens * layer_bytes',
        inputs: { tokens: T, layer_bytes: one },
        source: ACT_SOURCE,
        note: `one layer's saved tensors rebuilt during backward: ${partsNote(moeLayers && perLayerMoe > perLayerDense ? moeParts : denseParts)}`,
      },
      T * one,
    );
  }

  // Autocast keeps 16-bit copies of the weights used in matmuls until their backward.
  const phases: Phase[] = [];
  let copiesAll: Term | null = null;
  let copiesBwd: Term | null = null;
  let copiesLayer: Term | null = null;
  if (plan.autocast) {
    const split = splitParams(spec);
    const headParams = spec.vocab * spec.hidden;
    const matmulParams = split.linear + (spec.tiedEmbeddings ? headParams : 0) + spec.tensors.filter((t) => t.role === 'lm_head' || t.role === 'bias').reduce((s, t) => s + t.numel * t.count, 0);
    const mk = (label: string, params: number, note: string) =>
      makeTerm(
        {
          id: 'autocast_weight_copies',
          label,
          formula: 'params * copy_bytes',
          inputs: { params, copy_bytes: a },
          source: 'torch.autocast weight cast cache (leaf tensors); casts saved by autograd for backward',
          note,
        },
        params * a,
      );
    copiesAll = mk('Autocast weight copies', matmulParams, 'a 16-bit copy of every weight used in a matmul');
    copiesBwd = gc ? mk('Autocast weight copies', headParams, 'lm_head copy saved by autograd (layers are recomputed)') : copiesAll;
    copiesLayer = gc ? mk('Autocast weight copies', Math.ceil(split.linear / Math.max(1, spec.layers)) + headParams, 'the recomputed layer and lm_head') : null;
  }
  // With gradient accumulation the gradients of the previous micro-batches are live through the whole step.
  const accumulated = sc.gradAccumulation > 1 ? [grads] : [];
  const common = [...weights, states, ...accumulated, acts];
  const opt = (t: Term | null) => (t ? [t] : []);
  phases.push({ name: 'forward (loss)', terms: [...common, ...opt(copiesAll), trainingLogitsTerm(T, spec.vocab, a, 'forward', spec.logitSoftcap), ws] });
  phases.push({ name: 'backward (loss)', terms: [...common, ...opt(copiesBwd), trainingLogitsTerm(T, spec.vocab, a, 'backward', spec.logitSoftcap), ws] });
  if (recompute) phases.push({ name: 'backward (recompute)', terms: [...weights, states, grads, acts, recompute, ...opt(copiesLayer), ws] });
  if (math) {
    // Backward through a materialized attention: gradients of the probabilities and scores (fp32), one layer at a time.
    const m = rt.mathAttention;
    const attnBwd = makeTerm(
      {
        id: 'attention_backward',
        label: 'Attention backward (math SDPA)',
        formula: 'round(batch * heads * seq * seq * bytes_per_score)',
        inputs: { batch: sc.batch, heads: spec.heads, seq: sc.seq, bytes_per_score: m.backward },
        source: m.source,
      },
      Math.round(sc.batch * spec.heads * sc.seq * sc.seq * m.backward),
    );
    const headGrads = sc.gradAccumulation > 1 ? grads : gradientsTerm(lora === null ? spec.vocab * spec.hidden : 0, trainBytes);
    phases.push({ name: 'backward (attention)', terms: [...weights, states, acts, ...(recompute ? [recompute] : []), headGrads, attnBwd, ws] });
  }
  phases.push({ name: 'optimizer step', terms: [...weights, grads, states, temps, ws] });
  return {
    phases,
    persistentIds: new Set(['weights', 'lora_adapters', 'optimizer_states']),
    trainable,
    kvPerToken: kvBytesPerToken(spec, a),
  };
}
