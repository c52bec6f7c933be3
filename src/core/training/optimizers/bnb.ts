/**
 * bitsandbytes optimizers (bitsandbytes/optim/optimizer.py, Optimizer2State / Optimizer1State.init_state):
 * - 8-bit: each state is a uint8 tensor of the parameter's shape plus one fp32 absmax per block of 256 elements;
 *   the quantization maps (256 fp32 entries each, signed for the first state and unsigned for the second) are
 *   created once per optimizer and shared by its tensors;
 * - tensors under min_8bit_size = 4096 elements keep 32-bit states (fp32, whatever the parameter dtype);
 * - 32-bit (PagedAdamW, Lion): fp32 states;
 * - paged optimizers put a state in CUDA unified memory (cudaMallocManaged, outside PyTorch's allocator) when its
 *   tensor has at least 1e5 elements; the absmax blocks and the small tensors' states stay ordinary device tensors.
 * The update is one fused kernel per tensor: no step temporaries.
 * Measured: test/fixtures/measured/methods-h200.jsonl (scripts/calibrate/measure_methods.py).
 */
import type { OptimizerId } from '../../scenario.ts';
import { ZERO, type Cost, type OptimizerSpec, type TrainedGroup } from './spec.ts';

export const BNB_MIN_8BIT_SIZE = 4096;
export const BNB_BLOCK = 256;
export const BNB_PAGED_MIN = 1e5;
const QMAP_BYTES = 256 * 4;

interface BnbInit {
  id: OptimizerId;
  label: string;
  /** State tensors per parameter: 2 (Adam) or 1 (Lion). */
  states: 1 | 2;
  bits: 8 | 32;
  paged: boolean;
}

interface Split {
  q8Params: number;
  q8Blocks: number;
  f32Params: number;
  pagedQ8: number;
  pagedF32: number;
}

function split(groups: readonly TrainedGroup[], bits: 8 | 32, paged: boolean): Split {
  const s: Split = { q8Params: 0, q8Blocks: 0, f32Params: 0, pagedQ8: 0, pagedF32: 0 };
  for (const g of groups) {
    const n = g.tensorNumel;
    if (n === 0 || g.count === 0) continue;
    const eight = bits === 8 && n >= BNB_MIN_8BIT_SIZE;
    const onPages = paged && n >= BNB_PAGED_MIN;
    if (eight) {
      s.q8Blocks += g.count * Math.ceil(n / BNB_BLOCK);
      if (onPages) s.pagedQ8 += g.count * n;
      else s.q8Params += g.count * n;
    } else if (onPages) s.pagedF32 += g.count * n;
    else s.f32Params += g.count * n;
  }
  return s;
}

/** Device bytes of bitsandbytes states over `groups` (exported for GaLore's 8-bit variant). */
export function bnbDeviceStates(groups: readonly TrainedGroup[], states: 1 | 2, bits: 8 | 32, paged = false): Cost {
  const s = split(groups, bits, paged);
  const qmaps = s.q8Blocks > 0 ? states * QMAP_BYTES : 0;
  return {
    bytes: states * (s.q8Params + 4 * s.q8Blocks + 4 * s.f32Params) + qmaps,
    formula: 'states * (q8_params + 4 * q8_blocks + 4 * f32_params) + qmap_bytes',
    inputs: { states, q8_params: s.q8Params, q8_blocks: s.q8Blocks, f32_params: s.f32Params, qmap_bytes: qmaps },
  };
}

function bnbOptimizer(init: BnbInit): OptimizerSpec {
  const spec: OptimizerSpec = {
    id: init.id,
    label: init.label,
    source:
      'bitsandbytes optim/optimizer.py init_state: ' +
      (init.bits === 8 ? 'uint8 states + fp32 absmax per 256-block, fp32 states under 4096 elements' : 'fp32 states') +
      (init.paged ? '; get_state_buffer pages tensors of ≥ 1e5 elements (cudaMallocManaged)' : '') +
      '; measured in test/fixtures/measured/methods-h200.jsonl',
    temporariesSource: 'bitsandbytes fused update kernel (one tensor at a time, no temporaries)',
    states: (groups) => bnbDeviceStates(groups, init.states, init.bits, init.paged),
    stepTemporaries: () => ZERO,
    perParameter: true,
  };
  if (init.paged) {
    spec.pagedStates = (groups) => {
      const s = split(groups, init.bits, true);
      return {
        bytes: init.states * (s.pagedQ8 + 4 * s.pagedF32),
        formula: 'states * (paged_q8_params + 4 * paged_f32_params)',
        inputs: { states: init.states, paged_q8_params: s.pagedQ8, paged_f32_params: s.pagedF32 },
      };
    };
  }
  return spec;
}

export const adamw8bit = bnbOptimizer({ id: 'adamw-8bit', label: 'bitsandbytes AdamW8bit (uint8 exp_avg, exp_avg_sq + fp32 absmax per 256)', states: 2, bits: 8, paged: false });
export const pagedAdamw8bit = bnbOptimizer({ id: 'paged-adamw-8bit', label: 'bitsandbytes PagedAdamW8bit (8-bit states in unified memory)', states: 2, bits: 8, paged: true });
export const pagedAdamw = bnbOptimizer({ id: 'paged-adamw', label: 'bitsandbytes PagedAdamW, 32-bit (fp32 states in unified memory)', states: 2, bits: 32, paged: true });
export const lion = bnbOptimizer({ id: 'lion', label: 'bitsandbytes Lion, 32-bit (one fp32 momentum)', states: 1, bits: 32, paged: false });
export const lion8bit = bnbOptimizer({ id: 'lion-8bit', label: 'bitsandbytes Lion8bit (uint8 momentum + fp32 absmax per 256)', states: 1, bits: 8, paged: false });
