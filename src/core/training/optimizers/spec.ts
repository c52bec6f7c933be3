/**
 * What an optimizer costs, as data: the state it keeps per trained tensor group and the temporaries its step
 * allocates. One spec per optimizer (this folder); the training composer never branches on an optimizer's name.
 */
import type { OptimizerId, Scenario } from '../../scenario.ts';

/**
 * A group of identical trained tensors (`count` tensors of `tensorNumel` elements, `elements` in all), each element
 * stored in `bytes` (the parameter dtype, or fp32 adapters). Per-tensor sizes matter to block-wise optimizers.
 */
export interface TrainedGroup {
  name: string;
  tensorNumel: number;
  count: number;
  elements: number;
  bytes: number;
  /** [out, in] of a linear weight (PyTorch layout); GaLore and APOLLO project matrices by their shape. */
  shape?: [number, number];
  /** A decoder attention or MLP linear layer: what GaLore's and APOLLO's scripts project ('attn'/'mlp' in the name). */
  projectable?: boolean;
}

/** What an optimizer may read besides the groups: its hyper-parameters from the scenario, and the model's width. */
export interface OptimizerContext {
  scenario: Scenario;
  hidden: number;
}

/** Bytes with the mathjs formula and inputs that give them (the formula over the inputs equals `bytes`; tested). */
export interface Cost {
  bytes: number;
  formula: string;
  inputs: Record<string, number>;
}

export interface OptimizerSpec {
  id: OptimizerId;
  /** What the states are, shown beside the number. */
  label: string;
  source: string;
  temporariesSource: string;
  /** `ctx` carries the hyper-parameters (GaLore's and APOLLO's ranks); optimizers without any ignore it. */
  states(groups: readonly TrainedGroup[], ctx?: OptimizerContext): Cost;
  stepTemporaries(groups: readonly TrainedGroup[], ctx?: OptimizerContext): Cost;
  /** States kept in CUDA unified memory (bitsandbytes paged optimizers): outside PyTorch's allocator. */
  pagedStates?(groups: readonly TrainedGroup[], ctx?: OptimizerContext): Cost;
  /** Whether the step handles one parameter at a time (its temporaries are one tensor's), as layer-wise updates need. */
  perParameter: boolean;
  /** Checks the hyper-parameters against the groups; throws ScenarioError naming the key. */
  validate?(groups: readonly TrainedGroup[], ctx?: OptimizerContext): void;
}

/** Bytes of one element per group, each group at its own size: `sum(elements_i * bytes_i)` as a formula. */
export function perGroupCost(groups: readonly TrainedGroup[], perElement: number, perKey: string): Cost {
  const inputs: Record<string, number> = { [perKey]: perElement };
  const parts: string[] = [];
  let bytes = 0;
  groups.forEach((g, i) => {
    if (g.elements === 0) return;
    inputs[`params_${i}`] = g.elements;
    inputs[`bytes_${i}`] = g.bytes;
    parts.push(`params_${i} * bytes_${i}`);
    bytes += g.elements * g.bytes * perElement;
  });
  return { bytes, formula: parts.length ? `(${parts.join(' + ')}) * ${perKey}` : '0', inputs: parts.length ? inputs : {} };
}

/** Every tensor of the groups, one entry per group (count tensors of tensorNumel each). */
export function sumOver(groups: readonly TrainedGroup[], f: (g: TrainedGroup) => number): number {
  let n = 0;
  for (const g of groups) n += g.count * f(g);
  return n;
}

/** The largest single trained tensor. */
export function largestTensor(groups: readonly TrainedGroup[], which: (g: TrainedGroup) => boolean = () => true): number {
  let n = 0;
  for (const g of groups) if (which(g) && g.count > 0 && g.tensorNumel > n) n = g.tensorNumel;
  return n;
}

export function trainedElements(groups: readonly TrainedGroup[]): number {
  let n = 0;
  for (const g of groups) n += g.elements;
  return n;
}

/** The element size shared by every trained group (full fine-tuning: the parameter dtype; LoRA: fp32 adapters). */
export function uniformBytes(groups: readonly TrainedGroup[]): number {
  const bytes = groups[0]?.bytes ?? 0;
  if (groups.some((g) => g.bytes !== bytes)) throw new Error('trained groups of mixed element sizes need a per-group optimizer formula');
  return bytes;
}

interface ElementwiseInit {
  id: OptimizerId;
  label: string;
  source: string;
  /** Parameter-sized state tensors per trained tensor (AdamW: exp_avg and exp_avg_sq). */
  statesPerParam: number;
  /** Parameter-sized buffers the step allocates at once over all parameters (foreach implementations). */
  temporariesPerParam: number;
  temporariesSource?: string;
}

/** An optimizer whose states and step temporaries are whole parameter-sized tensors in the parameter dtype. */
/** Parameter-sized tensors per parameter in the groups' dtype; per group when the groups' element sizes differ. */
function elementwiseCost(groups: readonly TrainedGroup[], perParam: number, kind: 'states' | 'temporaries'): Cost {
  const perKey = kind === 'states' ? 'states_per_param' : 'temporaries_per_param';
  const bytes = groups[0]?.bytes ?? 0;
  for (const g of groups) if (g.bytes !== bytes) return perGroupCost(groups, perParam, perKey);
  const elements = trainedElements(groups);
  return kind === 'states'
    ? { bytes: elements * perParam * bytes, formula: 'trainable_params * states_per_param * state_bytes', inputs: { trainable_params: elements, states_per_param: perParam, state_bytes: bytes } }
    : {
        bytes: elements * perParam * bytes,
        formula: 'trainable_params * temporaries_per_param * state_bytes',
        inputs: { trainable_params: elements, temporaries_per_param: perParam, state_bytes: bytes },
      };
}

/** An optimizer whose states and step temporaries are whole parameter-sized tensors in the parameter dtype. */
export function elementwiseOptimizer(init: ElementwiseInit): OptimizerSpec {
  return {
    id: init.id,
    label: init.label,
    source: init.source,
    temporariesSource: init.temporariesSource ?? 'torch.optim foreach implementation (_foreach_sqrt of exp_avg_sq)',
    states: (groups) => elementwiseCost(groups, init.statesPerParam, 'states'),
    stepTemporaries: (groups) => elementwiseCost(groups, init.temporariesPerParam, 'temporaries'),
    perParameter: false,
  };
}

/** The same cost with its inputs renamed `prefix_key`, so that costs can be added in one formula. */
export function prefixed(cost: Cost, prefix: string): Cost {
  let formula = cost.formula;
  const inputs: Record<string, number> = {};
  // Longest names first, so that `params_1` is renamed before `params`.
  for (const k of Object.keys(cost.inputs).sort((a, b) => b.length - a.length)) {
    formula = formula.replace(new RegExp(`\\b${k}\\b`, 'g'), `${prefix}_${k}`);
    inputs[`${prefix}_${k}`] = cost.inputs[k]!;
  }
  return { bytes: cost.bytes, formula, inputs };
}

/** The sum of costs in one formula (inputs prefixed per part). */
export function addCosts(parts: Record<string, Cost>): Cost {
  const entries = Object.entries(parts).filter(([, c]) => c.formula !== '0');
  if (entries.length === 0) return ZERO;
  const renamed = entries.map(([p, c]) => prefixed(c, p));
  return {
    bytes: renamed.reduce((s, c) => s + c.bytes, 0),
    formula: renamed.map((c) => `(${c.formula})`).join(' + '),
    inputs: Object.assign({}, ...renamed.map((c) => c.inputs)) as Record<string, number>,
  };
}

export const ZERO: Cost = { bytes: 0, formula: '0', inputs: {} };
