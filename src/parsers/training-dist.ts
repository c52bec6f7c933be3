/**
 * The multi-GPU keys of axolotl and LLaMA-Factory YAML: `deepspeed:` (a JSON path, read and joined by the caller, or an
 * inline object), axolotl's `fsdp:` / `fsdp_config:` / `fsdp_version:`, `activation_offloading`, and the TP / context
 * parallel degrees.
 */
import type { ScenarioInput } from '../core/scenario.ts';
import { KeyReader, readDeepSpeed, shown } from './deepspeedJson.ts';
import { countProblem } from './values.ts';
import type { AutoField, FieldLocations, FileReference, KeyLocation, ParseIssue } from './types.ts';

export interface DistRead {
  scenario: ScenarioInput;
  fields: FieldLocations;
  deepspeed?: FileReference;
  autos?: AutoField[];
  extras: Record<string, unknown>;
}

type Get = (key: string) => KeyLocation | undefined;

const on = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v.trim()));
const off = (v: unknown) => v === null || v === undefined || v === false || v === '' || (typeof v === 'string' && /^(false|none|null|no|off)$/i.test(v.trim()));

/** Reads the distributed keys of a training YAML (top-level key locations from `get`). */
export function readTrainingDist(get: Get, errors: ParseIssue[]): DistRead {
  const out: DistRead = { scenario: {}, fields: {}, extras: {} };
  const ds = get('deepspeed');
  if (ds && !off(ds.value)) readDeepSpeedKey(ds, out, errors);
  else readFsdp(get, out, errors);
  for (const [key, field] of [['tensor_parallel_size', 'tp'], ['sequence_parallel_degree', 'cp'], ['context_parallel_size', 'cp']] as const) {
    const e = get(key);
    if (!e || off(e.value)) continue;
    if (typeof e.value === 'number' && Number.isInteger(e.value) && e.value >= 1 && e.value <= 1024) {
      out.scenario[field] = e.value;
      out.fields[field] = e;
    } else errors.push({ message: countProblem(key, e.value, 1, 1024)!, severity: 'error', range: e.valueRange, key });
  }
  const ao = get('activation_offloading');
  if (ao && !off(ao.value)) {
    out.scenario.activationOffload = true;
    out.fields.activationOffload = ao;
  }
  if (((out.scenario.zero ?? 0) > 0 || out.deepspeed) && !out.scenario.gpus) {
    const at = ds && !off(ds.value) ? ds : (get('fsdp_config') ?? get('fsdp'))!;
    errors.push({ message: `${at.key}: the number of GPUs is not in this file; the estimate uses llmFootprint.defaults.gpus / --gpus (or the launch script's).`, severity: 'info', range: at.keyRange, key: at.key });
  }
  return out;
}

function readDeepSpeedKey(ds: KeyLocation, out: DistRead, errors: ParseIssue[]): void {
  if (typeof ds.value === 'string') {
    out.deepspeed = { path: ds.value.trim(), loc: ds };
    return;
  }
  if (ds.value && typeof ds.value === 'object' && !Array.isArray(ds.value)) {
    // An inline DeepSpeed config: every key is reported at the `deepspeed:` key.
    const keys: KeyLocation[] = [];
    const r = readDeepSpeed(new KeyReader(ds.value as Record<string, unknown>, keys, errors));
    for (const e of errors) if (e.range.start.line === 0 && e.range.end.line === 0 && e.key?.includes('.')) e.range = ds.keyRange;
    Object.assign(out.scenario, r.scenario);
    for (const f of Object.keys(r.fields)) out.fields[f as keyof ScenarioInput] = ds;
    out.autos = r.autos.map((a) => ({ ...a, loc: { ...a.loc, keyRange: ds.keyRange, valueRange: ds.valueRange } }));
    Object.assign(out.extras, r.extras);
    return;
  }
  errors.push({ message: `deepspeed: ${shown(ds.value)} is not the path of a DeepSpeed JSON`, severity: 'error', range: ds.valueRange, key: 'deepspeed' });
}

const STAGE: Record<string, 0 | 2 | 3> = { full_shard: 3, shard_grad_op: 2, no_shard: 0, hybrid_shard: 3, hybrid_shard_zero2: 2 };

/** axolotl FSDP: `fsdp: [full_shard, auto_wrap, offload]` with `fsdp_config:`, or FSDP2's `fsdp_version: 2` + `fsdp_config:`. */
function readFsdp(get: Get, out: DistRead, errors: ParseIssue[]): void {
  const fsdp = get('fsdp');
  const cfg = get('fsdp_config');
  const words = fsdp && !off(fsdp.value) ? (Array.isArray(fsdp.value) ? fsdp.value.map(String) : String(fsdp.value).split(/[\s,]+/)).map((w) => w.trim().toLowerCase()).filter(Boolean) : [];
  const c = cfg && cfg.value && typeof cfg.value === 'object' && !Array.isArray(cfg.value) ? (cfg.value as Record<string, unknown>) : null;
  if (!words.length && !c) return;
  const at = fsdp && words.length ? fsdp : cfg!;
  const pick = (...names: string[]) => names.map((n) => c?.[n]).find((v) => v !== undefined);
  out.scenario.runtime = 'pytorch';
  out.scenario.zero = 3;
  out.fields.zero = at;
  const named = words.find((w) => w in STAGE);
  const strat = pick('fsdp_sharding_strategy', 'sharding_strategy');
  const reshard = pick('fsdp_reshard_after_forward', 'reshard_after_forward');
  if (named) out.scenario.zero = STAGE[named];
  else if (typeof strat === 'string' && strat.toLowerCase() in STAGE) out.scenario.zero = STAGE[strat.toLowerCase()];
  else if (strat !== undefined) errors.push({ message: `fsdp_config.fsdp_sharding_strategy: ${shown(strat)} is not FULL_SHARD, SHARD_GRAD_OP, NO_SHARD or HYBRID_SHARD`, severity: 'error', range: cfg!.keyRange, key: 'fsdp_config' });
  if (reshard === false && !named && strat === undefined) out.scenario.zero = 2;
  if (words.includes('offload') || on(pick('fsdp_offload_params', 'offload_params'))) {
    out.scenario.offloadParams = 'cpu';
    out.scenario.offloadOptimizer = 'cpu';
    out.fields.offloadParams = out.fields.offloadOptimizer = at;
  }
  if (on(pick('fsdp_activation_checkpointing', 'activation_checkpointing'))) {
    out.scenario.gradCheckpointing = true;
    out.fields.gradCheckpointing = cfg!;
  }
}
