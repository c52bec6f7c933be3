/**
 * Inference in PyTorch eager (transformers): a prefill over the prompt, its logits, and decode steps that grow the
 * cache. Scoring (logits of every position) keeps no cache and generates nothing.
 */
import type { ModelSpec, Term } from './types.ts';
import { isQuantizedKv, KV_QUANT_BITS, quantizedKvDequantTerm, quantizedKvTerm } from './memory/kv-quant.ts';
import { ScenarioError, type Scenario } from './scenario.ts';
import { FLOAT_BYTES, precisionPlan } from './dtypes.ts';
import type { RuntimeProfile } from './runtime.ts';
import { composePhases, workspaceTerm, type Composition, type PhaseRule, type Slots } from './phases.ts';
import { makeTerm } from './memory/term.ts';
import { servingWeightsDtype, weightsTerm } from './memory/weights.ts';
import { loraAdaptersTerm } from './memory/lora.ts';
import { bnbWeightsTerm, int8MatmulBuffersTerm } from './memory/quantized.ts';
import { hasWindowedLayers, kvBytesPerToken, kvCacheTerm, kvGrowthTerm } from './memory/kv-cache.ts';
import { inferencePeakPerToken } from './memory/activations.ts';
import { inferenceLogitsTerm } from './memory/logits.ts';
import { usesMathAttention } from './memory/attention.ts';
import { moeDecodeGatherTerm } from './memory/moe.ts';

type InferenceSlot = 'weights' | 'kv_prefill' | 'activations' | 'logits_prefill' | 'kv_decode' | 'kv_growth' | 'logits_decode' | 'moe_expert_gather' | 'cuda_workspace';

export const INFERENCE_PHASES: readonly PhaseRule<InferenceSlot>[] = [
  { name: 'prefill', live: ['weights', 'kv_prefill', 'activations', 'cuda_workspace'] },
  { name: 'prefill logits', live: ['weights', 'kv_prefill', 'logits_prefill', 'cuda_workspace'], requires: ['kv_prefill'] },
  { name: 'logits', live: ['weights', 'logits_prefill', 'cuda_workspace'], unless: ['kv_prefill'] },
  { name: 'decode', live: ['weights', 'kv_decode', 'kv_growth', 'logits_decode', 'moe_expert_gather', 'cuda_workspace'], requires: ['kv_decode'] },
];

const PERSISTENT: ReadonlySet<Term['id']> = new Set(['weights', 'lora_adapters', 'kv_cache']);

function prefillActivationsTerm(tokens: number, perToken: number): Term {
  return makeTerm(
    {
      id: 'activations',
      label: 'Activations (largest layer, transient)',
      formula: 'tokens * peak_bytes_per_token',
      inputs: { tokens, peak_bytes_per_token: perToken },
      source: 'tensors alive at once in one decoder layer under no_grad (layer input, embeddings, residual, MLP intermediates); calibrated on test/fixtures/measured',
    },
    tokens * perToken,
  );
}

/** The cache at the end of generation, its per-step growth, the last position's logits and MoE expert gathers. */
function decodeSlots(spec: ModelSpec, sc: Scenario, kvBytes: number, computeBytes: number, rt: RuntimeProfile): Slots<InferenceSlot> {
  const tokens = sc.seq + sc.newTokens - 1;
  const quant = isQuantizedKv(sc.kvDtype);
  const kv = quant
    ? quantizedKvTerm(spec, sc.batch, tokens, Math.min(sc.kvResidual, sc.newTokens - 1), KV_QUANT_BITS[sc.kvDtype as 'int4' | 'int2'], sc.kvGroupSize, computeBytes)
    : kvCacheTerm(spec, sc.batch, tokens, kvBytes, rt);
  return {
    kv_decode: kv,
    kv_growth: quant ? quantizedKvDequantTerm(spec, sc.batch, tokens, computeBytes) : kvGrowthTerm(spec, kv),
    logits_decode: inferenceLogitsTerm(sc.batch, spec.vocab, computeBytes, true, spec.hidden, spec.logitSoftcap),
    moe_expert_gather: moeDecodeGatherTerm(spec, sc.batch, computeBytes, rt),
  };
}

/**
 * NF4 with double quantization (the absmax constants quantized to 8 bits): what --weights-dtype nf4 means unless
 * --no-double-quant says otherwise (measured: 1.364 GiB vs 1.406 GiB without, test/fixtures/measured/methods-h200);
 * a quantized checkpoint keeps its own bnb_4bit_use_double_quant.
 */
function nf4DoubleQuant(spec: ModelSpec, sc: Scenario): boolean {
  if (sc.doubleQuant !== null) return sc.doubleQuant;
  return sc.weightsDtype === 'nf4' ? true : (spec.quantization?.doubleQuant ?? false);
}

export function inference(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, warnings: string[]): Composition {
  const precision = precisionPlan(sc.precision);
  const computeBytes = FLOAT_BYTES[precision.compute];
  const residualBytes = precision.autocast ? 4 : computeBytes;
  const weightsDtype = servingWeightsDtype(spec, sc, precision.param, warnings);
  const weights = [
    weightsDtype === 'nf4' && nf4DoubleQuant(spec, sc)
      ? bnbWeightsTerm(spec, 'nf4', true, FLOAT_BYTES[precision.compute], 'Weights')
      : weightsTerm(spec, weightsDtype, precision.compute),
  ];
  if (sc.loraRank !== null) weights.push(loraAdaptersTerm(spec, sc.loraRank, 'inference'));
  const quantKv = isQuantizedKv(sc.kvDtype);
  const kvBytes = sc.kvDtype === 'auto' || isQuantizedKv(sc.kvDtype) ? computeBytes : FLOAT_BYTES[sc.kvDtype];
  const math = usesMathAttention(spec, precision.compute, rt, warnings);
  const scoresPerToken = math ? Math.round(rt.mathAttention.inferencePeak * spec.heads * sc.seq) : 0;
  const scoring = sc.logits === 'all';
  const tokens = sc.batch * sc.seq;
  if (rt.id === 'pytorch' && (spec.mambaMixer || spec.linearMixer))
    warnings.push("the Mamba / linear-attention layers' prefill is estimated as transformers runs it without the mamba_ssm, causal-conv1d and flash-linear-attention kernels (its chunked scan's fp32 temporaries, measured); with those kernels installed it needs less");
  if (scoring && sc.newTokens > 0) throw new ScenarioError('newTokens: scoring every position (logits: all) generates no tokens', 'newTokens');
  const slots: Slots<InferenceSlot> = {
    weights,
    kv_prefill: scoring
      ? null
      : quantKv
        ? quantizedKvTerm(spec, sc.batch, sc.seq, 0, KV_QUANT_BITS[sc.kvDtype as 'int4' | 'int2'], sc.kvGroupSize, computeBytes)
        : kvCacheTerm(spec, sc.batch, sc.seq, kvBytes, rt),
    activations: [
      prefillActivationsTerm(tokens, inferencePeakPerToken(spec, computeBytes, residualBytes, scoresPerToken, rt.id === 'pytorch')),
      ...(weightsDtype === 'int8' ? [int8MatmulBuffersTerm(spec, tokens)] : []),
    ],
    logits_prefill: inferenceLogitsTerm(scoring ? tokens : sc.batch, spec.vocab, computeBytes, false, spec.hidden, spec.logitSoftcap),
    ...(!scoring && sc.newTokens > 0 ? decodeSlots(spec, sc, kvBytes, computeBytes, rt) : {}),
    cuda_workspace: workspaceTerm(rt, 1),
  };
  if (hasWindowedLayers(spec) && !rt.slidingWindowCapsCache) {
    warnings.push(`${rt.label} keeps every token on sliding-window layers (no rolling buffer); serving engines such as vLLM cap them at the window`);
  }
  const kvPerToken = quantKv ? Math.ceil(kvBytesPerToken(spec, 1) * (KV_QUANT_BITS[sc.kvDtype as 'int4' | 'int2'] / 8 + (2 * computeBytes) / sc.kvGroupSize)) : kvBytesPerToken(spec, kvBytes);
  return { phases: composePhases(INFERENCE_PHASES, slots), persistentIds: PERSISTENT, trainable: 0, kvPerToken , reserveBytes: undefined, fits: undefined, serving: undefined };
}
