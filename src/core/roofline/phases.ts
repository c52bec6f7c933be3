/**
 * The passes of a scenario, each as operator costs: inference = prefill + one decode step (at the average context
 * over the generated tokens); training = forward, backward, recomputation (checkpointing) and the optimizer step.
 */
import type { ModelSpec } from '../types.ts';
import type { OptimizerId, Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { byteSizes, passCosts, type OpCost, type PassShape } from './cost.ts';
import { loraTargets } from '../memory/lora.ts';

export interface ScenarioCosts {
  prefill?: OpCost[];
  /** vLLM: the prefill of one request alone (its time to first token on an idle server); else the batch's prefill. */
  firstToken?: OpCost[];
  decode?: OpCost[];
  /** One micro-batch: forward, backward and (with checkpointing) the recomputed forward of the layers. */
  micro?: OpCost[];
  /** The optimizer step, once per optimizer step (after `gradAccumulation` micro-batches). */
  optimizer?: OpCost[];
}

/**
 * Element reads + writes per trainable parameter in one optimizer step (torch.optim, in the parameter dtype):
 * foreach AdamW runs lerp, mul, addcmul, mul (decay), sqrt, div, add and addcdiv as separate passes (20);
 * fused AdamW reads p, g, m, v and writes p, m, v once (7); SGD reads p, g and writes p (3); with momentum 6.
 */
export const OPTIMIZER_ACCESSES: Readonly<Record<OptimizerId, number>> = {
  adamw: 20,
  'adamw-fused': 7,
  sgd: 3,
  'sgd-momentum': 6,
  // bitsandbytes: one fused kernel per tensor; p and g in the parameter dtype, states counted by their size (uint8 =
  // half a 16-bit element, fp32 = two).
  'adamw-8bit': 5,
  'paged-adamw-8bit': 5,
  'paged-adamw': 11,
  lion: 7,
  'lion-8bit': 4,
  // Adafactor, GaLore and APOLLO step one parameter at a time with separate elementwise passes (fp32 copies,
  // projections): of the order of foreach AdamW's passes.
  adafactor: 20,
  'galore-adamw': 20,
  'galore-adamw-8bit': 10,
  'galore-adafactor': 20,
  apollo: 20,
  'apollo-mini': 20,
};

/**
 * Backward FLOPs over forward FLOPs: a matmul needs input and weight gradients (2×); FlashAttention's backward runs
 * 5 matmuls for the forward's 2 (2.5×). A frozen weight (LoRA, QLoRA) needs only the input gradient (1×); its
 * adapters are rows of their own (loraAdapterCosts).
 */
function backwardFactor(name: string, frozen: boolean): number {
  if (name === 'attention (SDPA)') return 2.5;
  return frozen ? 1 : 2;
}

function backward(forward: OpCost[], frozen: boolean): OpCost[] {
  // Bytes: activations and their gradients, the weights read again and their gradients written (≈ 2× the forward).
  return forward.map((o) => ({ phase: 'backward', name: o.name, flops: o.flops * backwardFactor(o.name, frozen), bytes: 2 * o.bytes }));
}

/**
 * PEFT's LoRA adapters on every adapted linear layer (r = rank, `in`/`out` its widths, a = the activations' bytes):
 * fp32 matmuls x·Aᵀ·Bᵀ (2 · r · (in + out) FLOPs per token forward, twice that backward: the input gradient and the
 * adapters' weight gradients) without tensor cores; and the elementwise work around them, per token: forward, the
 * input read and cast to fp32 and read again ((a + 8) · in), the adapter output written, scaled, cast and added to the
 * base output ((16 + 2a) · out); backward, the output gradient cast and scaled ((16 + a) · out), the input gradient
 * written in fp32, cast and added to the base layer's ((8 + 4a) · in). What a step's profile shows
 * (test/fixtures/measured/lora-time-h200.json: fp32 casts, ffma GEMMs, scaling and adds).
 */
function loraAdapterCosts(spec: ModelSpec, sc: Scenario, tokens: number, a: number): { forward: OpCost[]; backward: OpCost[] } {
  let ins = 0;
  let outs = 0;
  // The language model's adapters (a vision tower's run over patches, not these tokens; its time is not modelled).
  for (const g of loraTargets(spec, sc.loraTargets, false)) {
    ins += g.shape[1] * g.count;
    outs += g.shape[0] * g.count;
  }
  const r = sc.loraRank ?? 0;
  const rows = (phase: string, flopsPerToken: number, bytesPerToken: number): OpCost[] => [
    { phase, name: 'LoRA adapters (fp32 matmuls)', flops: flopsPerToken * tokens, bytes: 0, fp32: true },
    { phase, name: 'LoRA adapters (casts, scaling, adds)', flops: 0, bytes: bytesPerToken * tokens },
  ];
  return {
    forward: rows('forward', 2 * r * (ins + outs), (a + 8) * ins + (16 + 2 * a) * outs),
    backward: rows('backward', 4 * r * (ins + outs), (8 + 4 * a) * ins + (16 + a) * outs),
  };
}

function trainingCosts(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, trainable: number): ScenarioCosts {
  const sz = byteSizes(spec, sc);
  const shape: PassShape = { phase: 'forward', batch: sc.batch, queries: sc.seq, keys: sc.seq, causal: true, headTokens: sc.batch * sc.seq, loss: true };
  const forward = passCosts(spec, rt, shape, sz, sc.loraRank);
  const frozen = sc.loraRank !== null;
  const micro = [...forward, ...backward(forward, frozen)];
  if (sc.gradCheckpointing) micro.push(...passCosts(spec, rt, { ...shape, phase: 'recompute' }, sz, sc.loraRank, false));
  if (frozen) {
    const adapters = loraAdapterCosts(spec, sc, sc.batch * sc.seq, sz.compute);
    micro.push(...adapters.forward, ...adapters.backward);
    if (sc.gradCheckpointing) micro.push(...adapters.forward.map((o) => ({ ...o, phase: 'recompute' })));
  }
  const paramBytes = sc.precision.startsWith('amp') || sc.precision === 'fp32' ? 4 : 2;
  const optimizer: OpCost[] = [{ phase: 'optimizer', name: `optimizer step (${sc.optimizer})`, flops: 10 * trainable, bytes: OPTIMIZER_ACCESSES[sc.optimizer] * paramBytes * trainable }];
  return { micro, optimizer };
}

/** Keys at the average decode step: the prompt plus half the generated tokens (each step attends to all before it). */
export function averageDecodeContext(sc: Scenario): number {
  return sc.seq + Math.max(sc.newTokens - 1, 0) / 2 + 1;
}

function inferenceCosts(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile): ScenarioCosts {
  const sz = byteSizes(spec, sc);
  const scoring = sc.logits === 'all';
  const prefill = passCosts(spec, rt, { phase: 'prefill', batch: sc.batch, queries: sc.seq, keys: sc.seq, causal: true, headTokens: scoring ? sc.batch * sc.seq : sc.batch, loss: false }, sz, null);
  if (scoring) return { prefill };
  const firstToken = sc.runtime === 'vllm' && sc.batch > 1 ? passCosts(spec, rt, { phase: 'prefill (one request)', batch: 1, queries: sc.seq, keys: sc.seq, causal: true, headTokens: 1, loss: false }, sz, null) : undefined;
  const repeatsKv = sc.decode !== 'eager' && rt.staticCacheRepeatsKv;
  const decode = passCosts(spec, rt, { phase: 'decode', batch: sc.batch, queries: 1, keys: averageDecodeContext(sc), causal: false, headTokens: sc.batch, loss: false, repeatsKv }, sz, null);
  return { prefill, decode, ...(firstToken ? { firstToken } : {}) };
}

export function scenarioCosts(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, trainable: number): ScenarioCosts {
  return sc.mode === 'training' ? trainingCosts(spec, sc, rt, trainable) : inferenceCosts(spec, sc, rt);
}
