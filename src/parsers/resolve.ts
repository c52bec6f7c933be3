/**
 * Joining a training file with the DeepSpeed JSON it names, and resolving DeepSpeed's "auto" values the way the
 * Hugging Face Trainer fills them: from the training arguments (micro-batch, accumulation, bf16/fp16), from the
 * model (bucket sizes from hidden_size), or from the flags. Every resolved value is reported with where it came from.
 */
import type { Precision, ScenarioInput } from '../core/scenario.ts';
import type { FieldLocations, ParseIssue, WorkloadFile } from './types.ts';

type Field = keyof ScenarioInput;

/** Where "auto" values may come from, first match wins: the flags, a training file, the settings' defaults. */
export interface AutoSource {
  values: ScenarioInput;
  /** "--batch", "micro_batch_size in train.yaml"; null when this source does not set the field. */
  label(field: Field): string | null;
}

/** A source whose values are set by the keys in `fields` (a parsed file), else by the file's own defaults. */
export function fileSource(values: ScenarioInput, fields: FieldLocations, fileLabel: string): AutoSource {
  return {
    values,
    label: (f) => (values[f] === undefined ? null : fields[f] ? `${fields[f].key} in ${fileLabel}` : `${fileLabel}'s default`),
  };
}

/** A source whose every value is labelled by a function (CLI flags, settings). */
export function namedSource(values: ScenarioInput, name: (f: Field) => string): AutoSource {
  return { values, label: (f) => (values[f] === undefined ? null : name(f)) };
}

/**
 * A training YAML with its DeepSpeed JSON: the JSON's explicit settings over the YAML's, its "auto" values kept to be
 * resolved from the YAML (and the flags). Returns the joined workload and notes about disagreements.
 */
export function joinDeepSpeed(train: WorkloadFile, ds: WorkloadFile, trainLabel: string, dsLabel: string): { file: WorkloadFile; notes: ParseIssue[] } {
  const notes: ParseIssue[] = [];
  const at = train.deepspeed?.loc;
  for (const f of ['batch', 'gradAccumulation'] as const) {
    const a = ds.scenario[f];
    const b = train.scenario[f];
    if (a !== undefined && b !== undefined && a !== b && train.fields[f] && at) {
      notes.push({ message: `${dsLabel} sets ${ds.fields[f]?.key ?? f} to ${a} but ${train.fields[f].key} is ${b}; the Trainer refuses a mismatch — estimated with ${a}.`, severity: 'warning', range: at.keyRange, key: at.key });
    }
  }
  const scenario: ScenarioInput = { ...train.scenario, ...ds.scenario };
  // Without a bf16/fp16 section DeepSpeed follows the training file's dtype, as 16-bit parameters (no autocast).
  if (ds.scenario.precision === undefined && !ds.autos?.some((x) => x.field === 'precision') && scenario.precision) {
    scenario.precision = plainPrecision(scenario.precision);
  }
  const extras = { ...train.extras, ...ds.extras, deepspeed_file: dsLabel };
  const file: WorkloadFile = { ...train, scenario, autos: ds.autos ?? [], extras, inherited: { label: trainLabel, scenario: train.scenario, fields: train.fields } };
  return { file, notes };
}

const plainPrecision = (p: Precision): Precision => (p === 'amp-bf16' ? 'bf16' : p === 'amp-fp16' ? 'fp16' : p);

/** The sources of a workload's "auto" values: the given ones (flags first), then the training file it was joined with. */
export function autoSources(w: WorkloadFile, first: readonly AutoSource[], last: readonly AutoSource[] = []): AutoSource[] {
  const inh = w.inherited;
  return [...first, ...(inh ? [fileSource(inh.scenario, inh.fields, inh.label)] : []), ...last];
}

/** What the Trainer fills from the model for "auto" bucket sizes (transformers' HfTrainerDeepSpeedConfig). */
const FROM_HIDDEN: Partial<Record<Field, [(h: number) => number, string]>> = {
  reduceBucketSize: [(h) => h * h, 'hidden_size²'],
  prefetchBucketSize: [(h) => Math.floor(0.9 * h * h), '0.9 × hidden_size²'],
  paramPersistenceThreshold: [(h) => 10 * h, '10 × hidden_size'],
};

/**
 * The values of a workload's "auto" keys (and the world size from train_batch_size), with one note per key saying how
 * each was resolved. `hidden` is the model's hidden size (bucket sizes).
 */
export function resolveAutos(w: WorkloadFile, sources: readonly AutoSource[], hidden: number | null): { scenario: ScenarioInput; notes: string[] } {
  const scenario: ScenarioInput = {};
  const notes: string[] = [];
  const from = (f: Field) => sources.map((s) => ({ v: s.values[f], label: s.label(f) })).find((x) => x.label !== null);
  for (const a of w.autos ?? []) {
    if (a.field === 'precision') continue;
    const src = from(a.field);
    const hid = FROM_HIDDEN[a.field];
    if (src) {
      (scenario as Record<string, unknown>)[a.field] = src.v;
      notes.push(`${a.loc.key}: "auto" → ${String(src.v)} (${src.label})`);
    } else if (hid && hidden) {
      (scenario as Record<string, unknown>)[a.field] = hid[0](hidden);
      notes.push(`${a.loc.key}: "auto" → ${hid[0](hidden).toLocaleString('en-US')} (${hid[1]}, as the Hugging Face Trainer fills it)`);
    } else {
      notes.push(`${a.loc.key}: "auto" → ${a.field === 'batch' || a.field === 'gradAccumulation' ? '1' : "DeepSpeed's default"} (no training file or flag sets it)`);
    }
  }
  resolvePrecision(w, from('precision'), scenario, notes);
  resolveWorld(w, sources, { ...w.scenario, ...scenario }, scenario, notes);
  return { scenario, notes };
}

function resolvePrecision(w: WorkloadFile, src: { v: unknown; label: string | null } | undefined, out: ScenarioInput, notes: string[]): void {
  const autos = (w.autos ?? []).filter((a) => a.field === 'precision');
  if (autos.length === 0) return;
  const p = typeof src?.v === 'string' ? (src.v as Precision) : 'fp32';
  const on = (which: 'bf16' | 'fp16', v: unknown) => (v === 'auto' ? plainPrecision(p) === which : v === true);
  const bf16 = on('bf16', w.extras['bf16']);
  const fp16 = on('fp16', w.extras['fp16']);
  out.precision = bf16 ? 'bf16' : fp16 ? 'fp16' : 'fp32';
  for (const a of autos) {
    const enabled = a.loc.key.startsWith('fp16') ? fp16 : bf16;
    notes.push(`${a.loc.key}: "auto" → ${enabled} (${src?.label ? `${p} from ${src.label}` : 'no training file or flag enables it'})`);
  }
}

/** train_batch_size = micro-batch × accumulation × data-parallel ranks: the world size when nothing else gives it. */
function resolveWorld(w: WorkloadFile, sources: readonly AutoSource[], s: ScenarioInput, out: ScenarioInput, notes: string[]): void {
  const tbs = w.extras['train_batch_size'];
  if (typeof tbs !== 'number') return;
  const per = (s.batch ?? 1) * (s.gradAccumulation ?? 1);
  const given = sources.map((x) => ({ v: x.values.gpus, label: x.label('gpus') })).find((x) => x.label !== null);
  const dp = tbs / per;
  if (given) {
    const div = (s.tp ?? 1) * (s.pp ?? 1) * (s.cp ?? 1);
    if (Number(given.v) / div !== dp) notes.push(`train_batch_size ${tbs} ≠ ${per} per rank × ${Number(given.v) / div} data-parallel ranks (${given.label}); DeepSpeed refuses this`);
    return;
  }
  if (!Number.isInteger(dp) || dp < 1) {
    notes.push(`train_batch_size ${tbs} is not a multiple of micro-batch × accumulation (${per}); DeepSpeed refuses this — the world size is not taken from it`);
    return;
  }
  out.gpus = dp;
  notes.push(`${dp} GPUs from train_batch_size ${tbs} ÷ (micro-batch ${s.batch ?? 1} × accumulation ${s.gradAccumulation ?? 1})`);
}
