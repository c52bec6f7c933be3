/** The optimizers the scenario can name, one spec each: a new optimizer is one file and one line here. */
import type { OptimizerId } from '../../scenario.ts';
import type { OptimizerSpec } from './spec.ts';
import { adamw, adamwFused } from './adamw.ts';
import { sgd, sgdMomentum } from './sgd.ts';
import { adamw8bit, lion, lion8bit, pagedAdamw, pagedAdamw8bit } from './bnb.ts';
import { adafactor } from './adafactor.ts';
import { apollo, apolloMini, galoreAdafactor, galoreAdamw, galoreAdamw8bit } from './projected.ts';

export const OPTIMIZER_SPECS: Readonly<Record<OptimizerId, OptimizerSpec>> = {
  adamw,
  'adamw-fused': adamwFused,
  sgd,
  'sgd-momentum': sgdMomentum,
  'adamw-8bit': adamw8bit,
  'paged-adamw-8bit': pagedAdamw8bit,
  'paged-adamw': pagedAdamw,
  adafactor,
  lion,
  'lion-8bit': lion8bit,
  'galore-adamw': galoreAdamw,
  'galore-adamw-8bit': galoreAdamw8bit,
  'galore-adafactor': galoreAdafactor,
  apollo,
  'apollo-mini': apolloMini,
};

export type { OptimizerSpec, TrainedGroup, Cost, OptimizerContext } from './spec.ts';
