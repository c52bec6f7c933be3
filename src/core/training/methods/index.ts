/** The training methods, chosen from the scenario: QLoRA when asked, LoRA when it names a rank, else full fine-tuning. */
import type { Scenario } from '../../scenario.ts';
import { fullFineTuning } from './full.ts';
import { lora } from './lora.ts';
import { qlora } from './qlora.ts';
import type { MethodSpec } from './spec.ts';

export function methodFor(scenario: Scenario): MethodSpec {
  if (scenario.qlora || (scenario.loraRank !== null && scenario.weightsDtype === 'nf4')) return qlora;
  return scenario.loraRank === null ? fullFineTuning : lora;
}

export type { MethodSpec, MethodContext } from './spec.ts';
