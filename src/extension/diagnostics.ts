/**
 * Diagnostic decisions, pure: which key makes a setup not fit the target GPU, and which edits would fix it.
 * The extension turns these into vscode.Diagnostic and CodeAction (WorkspaceEdits the user applies).
 */
import { estimateSpec, formatBytes, largestFitting, parseScenario, type Estimate } from '../core/index.ts';
import { LineIndex, ZERO_RANGE, parseDocumentText } from '../parsers/index.ts';
import type { KeyLocation, ParseIssue, Position, Range, WorkloadFile, ModelConfigFile } from '../parsers/types.ts';
import { percentLabel, shortGpuName, tokensLabel } from '../shared/labels.ts';
import { requestTokens } from '../shared/scenario-summary.ts';
import { distDiagnostics, joinedFixes } from './diagnostics-dist.ts';
import { methodFixes } from './method-fixes.ts';
import { engineOptions, profileRunBytes, rerun, tokenBound, weightsBytes, type Analysis } from './analysis.ts';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** Peak after the fix, and whether it then fits. */
  peakBytes: number;
  fits: boolean | null;
  /** The most helpful fix is preferred (shown first, `isPreferred`). */
  preferred?: boolean;
  /** The document the edits are for, when not the one diagnosed (the DeepSpeed JSON a training YAML names). */
  uri?: string;
}

/** The DeepSpeed JSON a training YAML names, as read when it was joined in: its quick fixes edit it. */
export interface JoinedDeepSpeed {
  uri: string;
  text: string;
  file: WorkloadFile;
}

export interface FitDiagnostic {
  range: Range;
  message: string;
  severity: 'warning' | 'error' | 'info';
  /** Identifies the diagnostic for code actions (`llm-footprint.doesNotFit`). */
  code: string;
  key?: string;
  fixes: QuickFix[];
}

export const DOES_NOT_FIT = 'llm-footprint.doesNotFit';
/** vLLM fits, but fewer full-length requests than --max-num-seqs at once (information). */
export const QUEUES = 'llm-footprint.vllmQueues';
export const PARSE_ISSUE = 'llm-footprint.config';

/** Parse errors and "not modelled yet" warnings, as they are. */
export function parseIssueDiagnostics(errors: readonly ParseIssue[]): FitDiagnostic[] {
  return errors.map((e) => ({ range: e.range, message: e.message, severity: e.severity, code: e.code ?? PARSE_ISSUE, key: e.key, fixes: [] }));
}

const lineEnd = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** Where to append a new top-level YAML key: after the last line, on a fresh line. */
function appendAt(text: string): { pos: Position; prefix: string } {
  const lines = text.split(/\r?\n/);
  const last = lines.length - 1;
  const eol = lineEnd(text);
  if (lines[last] === '') return { pos: { line: last, character: 0 }, prefix: '' };
  return { pos: { line: last, character: lines[last]!.length }, prefix: eol };
}

function replaceValue(loc: KeyLocation, newText: string): TextEdit {
  return { range: loc.valueRange, newText };
}

function keyLoc(w: WorkloadFile, key: string): KeyLocation | undefined {
  return w.keys.find((k) => k.key === key);
}

interface Candidate {
  title: string;
  edits: TextEdit[];
  est: Estimate | null;
  /** The key the problem is attributed to when this fix is the best one. */
  blame?: KeyLocation;
  /** The document the edits are for, when not the one diagnosed. */
  uri?: string;
}

/** Fixes worth offering for a training YAML or a vllm command, each re-estimated by the engine. */
export function candidateFixes(w: WorkloadFile, a: Analysis, text: string, index = 0, exact = true): Candidate[] {
  const s = a.scenario;
  const out: Candidate[] = [];
  const eol = lineEnd(text);
  // `exact`: each fix is estimated by re-parsing the edited file (what the user will get); the diagnostic's message
  // uses the scenario patch alone, so an update costs no re-parse (quick fixes are computed when VS Code asks).
  const add = (title: string, edits: TextEdit[], patch: Parameters<typeof rerun>[1], blame?: KeyLocation) => {
    if (edits.length) out.push({ title, edits, est: (exact ? estimateAfterEdits(text, edits, index, a) : null) ?? rerun(a, patch), blame });
  };
  const append = (lines: string[]): TextEdit[] => {
    const { pos, prefix } = appendAt(text);
    return [{ range: { start: pos, end: pos }, newText: prefix + lines.join(eol) + eol }];
  };

  if (w.kind === 'vllm') {
    // Insert an option after the model argument when the command does not set it.
    const setOption = (f: KeyLocation | undefined, name: string, value: string): TextEdit[] =>
      f ? [replaceValue(f, value)] : w.modelLocation ? [{ range: { start: w.modelLocation.valueRange.end, end: w.modelLocation.valueRange.end }, newText: ` ${name} ${value}` }] : [];
    if (s.runtime === 'vllm' && a.gpu && a.fits === false) {
      const max = largestFitting(a.spec, a.scenario, 'seq', a.gpu.memoryBytes, engineOptions(a));
      if (max !== null && max < s.seq) add(`Lower --max-model-len to ${max}, the largest that fits`, setOption(w.fields.seq, '--max-model-len', String(max)), { seq: max }, w.fields.seq);
      if (s.gpuMemoryUtilization < 0.95) {
        const alt = rerun(a, { gpuMemoryUtilization: 0.95 });
        if (alt?.memory.fits) add('Raise --gpu-memory-utilization to 0.95', setOption(w.fields.gpuMemoryUtilization, '--gpu-memory-utilization', '0.95'), { gpuMemoryUtilization: 0.95 }, w.fields.gpuMemoryUtilization);
      }
    }
    if (s.kvDtype !== 'fp8') add('Store the KV cache in fp8 (--kv-cache-dtype fp8)', setOption(w.fields.kvDtype, '--kv-cache-dtype', 'fp8'), { kvDtype: 'fp8' }, w.fields.kvDtype);
    return out;
  }

  const axolotl = w.kind === 'axolotl';
  if (s.mode === 'training' && !s.gradCheckpointing) {
    if (axolotl) {
      const gc = keyLoc(w, 'gradient_checkpointing');
      add('Enable gradient checkpointing', gc ? [replaceValue(gc, 'true')] : append(['gradient_checkpointing: true']), { gradCheckpointing: true }, gc);
    } else {
      const dgc = keyLoc(w, 'disable_gradient_checkpointing');
      if (dgc) add('Enable gradient checkpointing', [replaceValue(dgc, 'false')], { gradCheckpointing: true }, dgc);
    }
  }
  if (s.batch > 1) {
    const half = Math.max(1, Math.floor(s.batch / 2));
    const f = w.fields.batch;
    const name = axolotl ? 'micro_batch_size' : 'per_device_train_batch_size';
    add(`Halve ${name} to ${half}`, f ? [replaceValue(f, String(half))] : append([`${name}: ${half}`]), { batch: half }, f);
    const max = a.gpu && a.fits === false ? largestFitting(a.spec, a.scenario, 'batch', a.gpu.memoryBytes, engineOptions(a)) : null;
    if (max !== null && max < half) {
      add(`Set ${name} to ${max} (the largest that fits)`, f ? [replaceValue(f, String(max))] : append([`${name}: ${max}`]), { batch: max }, f);
    }
  }
  if (s.seq > 256) {
    const half = Math.floor(s.seq / 2);
    const f = w.fields.seq;
    const name = axolotl ? 'sequence_len' : 'cutoff_len';
    add(`Lower ${name} to ${half}`, f ? [replaceValue(f, String(half))] : append([`${name}: ${half}`]), { seq: half }, f);
  }
  if (s.mode === 'training' && !s.loraRank) {
    if (axolotl) {
      const ad = keyLoc(w, 'adapter');
      const edits = ad ? [replaceValue(ad, 'lora')] : [];
      const extra = ['lora_r: 16', 'lora_alpha: 32', 'lora_target_linear: true'].filter((l) => !keyLoc(w, l.split(':')[0]!));
      if (!ad) extra.unshift('adapter: lora');
      edits.push(...append(extra));
      add('Use LoRA (rank 16) instead of full fine-tuning', edits, { loraRank: 16 }, ad);
    } else {
      const ft = keyLoc(w, 'finetuning_type');
      const edits = ft ? [replaceValue(ft, 'lora')] : [];
      const extra = ['lora_rank: 16', 'lora_target: all'].filter((l) => !keyLoc(w, l.split(':')[0]!));
      if (!ft) extra.unshift('finetuning_type: lora');
      edits.push(...append(extra));
      add('Use LoRA (rank 16) instead of full fine-tuning', edits, { loraRank: 16 }, ft);
    }
  }
  // The memory-saving methods (QLoRA, 8-bit AdamW, GaLore 8-bit layer-wise, APOLLO-Mini), as edits to the user's keys.
  for (const f of methodFixes(w, s)) {
    const edits = (f.edit.replace ?? []).map((r) => replaceValue(r.loc, r.value));
    if (f.edit.append?.length) edits.push(...append(f.edit.append));
    add(f.title, edits, f.patch, f.blame);
  }
  return out;
}

/**
 * The key a "does not fit" is attributed to. Token-bound setups (activations, logits, KV cache dominate) blame the
 * batch key (the usual knob), or the sequence length when the batch is already 1; parameter-bound setups blame the
 * full fine-tuning choice (adapter / finetuning_type) or the model.
 */
export function blameKey(w: WorkloadFile, a: Analysis): KeyLocation | undefined {
  const s = a.scenario;
  if (tokenBound(a.estimate)) {
    if (s.batch > 1) return w.fields.batch ?? keyLoc(w, w.kind === 'axolotl' ? 'micro_batch_size' : 'per_device_train_batch_size') ?? w.modelLocation ?? undefined;
    return w.fields.seq ?? w.modelLocation ?? undefined;
  }
  if (s.mode === 'training' && !s.loraRank) {
    return keyLoc(w, w.kind === 'axolotl' ? 'adapter' : 'finetuning_type') ?? w.modelLocation ?? undefined;
  }
  return w.modelLocation ?? undefined;
}

/**
 * The "does not fit" diagnostic of a workload file, on the key most responsible, with its quick fixes (those that
 * make it fit first, then by saving). A vLLM command has its own rule (vllmDiagnostics).
 */
/** Entries of a file whose does-not-fit message names the best fix in the editor (each costs a few re-estimates). */
export const HINTED_ENTRIES = 8;

/**
 * The fit diagnostics of one entry. `hint`: name the best fix in the message (it costs a few re-estimates, a search
 * for the largest length that fits); the editor hints only on a file's first entries and computes every entry's
 * quick fixes when VS Code asks for them at a range, so a script of many commands stays cheap per update.
 */
export function fitDiagnostics(w: WorkloadFile, a: Analysis, text: string, index = 0, exact = true, ds?: JoinedDeepSpeed, hint = true): FitDiagnostic[] {
  if (w.kind === 'vllm' && a.scenario.runtime === 'vllm') return vllmDiagnostics(w, a, text, index, exact, hint);
  if (w.kind === 'deepspeed' || w.kind === 'accelerate') return distDiagnostics(w, a, text);
  if (a.fits !== false || !a.gpu) return [];
  const peak = a.estimate.memory.peak_bytes;
  const cap = a.gpu.memoryBytes;
  const cands = hint ? candidateFixes(w, a, text, index, exact).filter((c) => c.est && c.est.memory.peak_bytes < peak) : [];
  if (ds && a.scenario.mode === 'training') cands.push(...joinedFixes(ds.file, a, ds.text).map((f) => ({ ...f, title: `${f.title} in ${basename(ds.uri)}`, uri: ds.uri })));
  const fitsAfter = (c: Candidate) => c.est!.memory.fits === true;
  cands.sort((x, y) => Number(fitsAfter(y)) - Number(fitsAfter(x)) || x.est!.memory.peak_bytes - y.est!.memory.peak_bytes);
  const best = cands[0];
  const over = a.estimate.memory.device_bytes - cap;
  const gpuName = shortGpuName(a.gpu);
  const blame = blameKey(w, a);
  let message = `Does not fit ${gpuName}: needs ≈ ${formatBytes(a.estimate.memory.device_bytes)} of ${formatBytes(cap)} (${formatBytes(over)} over).`;
  if (best) message += ` ${best.title}: → ${formatBytes(best.est!.memory.device_bytes)}${fitsAfter(best) ? ', fits' : ''}.`;
  const range = blame ? blame.keyRange : ZERO_RANGE;
  return [
    {
      range,
      message,
      severity: 'warning',
      code: DOES_NOT_FIT,
      key: blame?.key,
      fixes: cands.map((c, i) => ({
        title: `${c.title} (→ ${formatBytes(c.est!.memory.device_bytes)}${fitsAfter(c) ? ', fits' : ', still over'})`,
        edits: c.edits,
        peakBytes: c.est!.memory.peak_bytes,
        fits: c.est!.memory.fits,
        preferred: i === 0 && fitsAfter(c),
        ...(c.uri ? { uri: c.uri } : {}),
      })),
    },
  ];
}

const basename = (uri: string) => decodeURIComponent(uri.split('/').pop() ?? uri);

/**
 * A `vllm serve` command, as the engine's vLLM runtime sees it: a warning on --max-model-len when one request of the
 * full length does not fit the KV pool that --gpu-memory-utilization leaves (vLLM refuses to start), with quick
 * fixes (the largest --max-model-len that fits, --gpu-memory-utilization 0.95, an fp8 KV cache); information on
 * --max-num-seqs when fewer full-length requests than --max-num-seqs fit at once (vLLM queues the rest).
 */
export function vllmDiagnostics(w: WorkloadFile, a: Analysis, text: string, index = 0, exact = true, hint = true): FitDiagnostic[] {
  const sv = a.estimate.memory.serving;
  if (!a.gpu || !sv) return [];
  const s = a.scenario;
  const len = tokensLabel(requestTokens(s));
  const at = `${shortGpuName(a.gpu)} at ${percentLabel(s.gpuMemoryUtilization)}`;
  if (a.fits === false) {
    const cands = hint ? candidateFixes(w, a, text, index, exact).filter((c) => c.est) : [];
    const fitsAfter = (c: Candidate) => c.est!.memory.fits === true;
    const conc = (c: Candidate) => c.est!.memory.serving?.max_concurrency ?? 0;
    cands.sort((x, y) => Number(fitsAfter(y)) - Number(fitsAfter(x)) || conc(y) - conc(x));
    const best = cands.find(fitsAfter);
    const blame = w.fields.seq ?? w.modelLocation ?? undefined;
    const profile = profileRunBytes(a.estimate);
    let message = `vLLM cannot hold one ${len}-token request on ${at}: it needs ${formatBytes(sv.kv_bytes_per_request)} of KV cache, the pool is ${formatBytes(sv.kv_pool_bytes)} (budget ${formatBytes(sv.budget_bytes)}; weights ${formatBytes(weightsBytes(a.estimate))}, profile run ${formatBytes(profile)}).`;
    if (best) message += ` ${best.title}: ${conc(best)} at once.`;
    return [
      {
        range: blame ? blame.keyRange : ZERO_RANGE,
        message,
        severity: 'warning',
        code: DOES_NOT_FIT,
        key: blame?.key,
        fixes: cands.map((c, i) => ({
          title: `${c.title} (${fitsAfter(c) ? `fits, ${conc(c)} × ${tokensLabel(requestTokens(c.est!.scenario))} at once` : 'still does not fit'})`,
          edits: c.edits,
          peakBytes: c.est!.memory.peak_bytes,
          fits: c.est!.memory.fits,
          preferred: i === 0 && fitsAfter(c),
        })),
      },
    ];
  }
  if (sv.max_concurrency < s.batch) {
    const blame = w.fields.batch ?? w.modelLocation ?? undefined;
    return [
      {
        range: blame ? blame.keyRange : ZERO_RANGE,
        message: `${sv.max_concurrency} of ${s.batch} sequences fit at once at the full ${len} tokens on ${at} (KV pool ${formatBytes(sv.kv_pool_bytes)}, ${formatBytes(sv.kv_bytes_per_request)} per request); vLLM queues the rest (shorter requests share the pool).`,
        severity: 'info',
        code: QUEUES,
        key: blame?.key,
        fixes: [],
      },
    ];
  }
  return [];
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const idx = new LineIndex(text);
  const sorted = edits.map((e) => ({ e, start: idx.offset(e.range.start), end: idx.offset(e.range.end) })).sort((x, y) => y.start - x.start);
  let out = text;
  for (const { e, start, end } of sorted) out = out.slice(0, start) + e.newText + out.slice(end);
  return out;
}

/**
 * What the estimate would be after the user applies the edits: the edited text is parsed again, so a fix is
 * estimated exactly as the file will be read (e.g. LLaMA-Factory's LoRA keeps a 16-bit base, full tuning does not).
 */
export function estimateAfterEdits(text: string, edits: readonly TextEdit[], index: number, a: Analysis): Estimate | null {
  try {
    const edited = applyEdits(text, edits);
    const kind = a.kind === 'vllm' ? 'serve.sh' : 'config.yaml';
    const doc = parseDocumentText(kind, edited);
    const w = doc.files[index];
    if (!w || w.kind === 'model-config') return null;
    return estimateSpec(a.spec, parseScenario({ ...a.scenario, ...w.scenario }), engineOptions(a));
  } catch {
    return null;
  }
}

/** A bare model config: when even the default scenario does not fit, say so on torch_dtype (weights) or the model. */
export function configFitDiagnostics(f: ModelConfigFile, a: Analysis): FitDiagnostic[] {
  if (a.fits !== false || !a.gpu) return [];
  const weights = weightsBytes(a.estimate);
  const loc = f.keys.find((k) => k.key === 'torch_dtype' || k.key === 'dtype') ?? f.keys.find((k) => k.key === 'model_type') ?? f.keys[0];
  const cap = a.gpu.memoryBytes;
  const what = weights > cap ? `the weights alone (${formatBytes(weights)})` : `≈ ${formatBytes(a.estimate.memory.device_bytes)}`;
  return [
    {
      range: loc ? loc.keyRange : ZERO_RANGE,
      message: `Does not fit ${shortGpuName(a.gpu)} (${formatBytes(cap)}) for ${a.scenario.mode} at batch ${a.scenario.batch}, seq ${a.scenario.seq}: needs ${what}.`,
      severity: 'warning',
      code: DOES_NOT_FIT,
      key: loc?.key,
      fixes: [],
    },
  ];
}
