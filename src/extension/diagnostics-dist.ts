/**
 * Diagnostics of DeepSpeed JSON and accelerate configs: the setup does not fit the GPU, or its host-side states do not
 * fit the host RAM; quick fixes on the user's own keys (raise the ZeRO stage, offload the optimizer, more GPUs), each
 * re-estimated by parsing the edited file before it is offered.
 */
import { estimateSpec, formatBytes, parseScenario, type Estimate } from '../core/index.ts';
import { ZERO_RANGE, firstLaunch, parseDocumentText, parseLaunchScript, type KeyLocation, type LaunchLine, type WorkloadFile } from '../parsers/index.ts';
import { shortGpuName } from '../shared/labels.ts';
import { engineOptions, type Analysis } from './analysis.ts';
import { DOES_NOT_FIT, applyEdits, type FitDiagnostic, type TextEdit } from './diagnostics.ts';

export interface Fix {
  title: string;
  edits: TextEdit[];
  est: Estimate;
}

const loc = (w: WorkloadFile, key: string): KeyLocation | undefined => w.keys.find((k) => k.key === key);

/** The estimate after the edits, as the edited file will be read; null when it no longer parses. */
function afterEdits(w: WorkloadFile, a: Analysis, text: string, edits: TextEdit[]): Estimate | null {
  try {
    const doc = parseDocumentText(w.kind === 'deepspeed' ? 'ds_config.json' : 'accelerate.yaml', applyEdits(text, edits));
    const v = doc.files[0];
    if (!v || v.kind === 'model-config') return null;
    return estimateSpec(a.spec, parseScenario({ ...a.scenario, ...v.scenario }), engineOptions(a));
  } catch {
    return null;
  }
}

/** Edits of the user's keys worth trying: the next stages, the optimizer on the CPU, twice the GPUs. */
function candidates(w: WorkloadFile, a: Analysis): { title: string; edits: TextEdit[] }[] {
  const s = a.scenario;
  const out: { title: string; edits: TextEdit[] }[] = [];
  const ds = w.kind === 'deepspeed';
  const stage = loc(w, ds ? 'zero_optimization.stage' : 'deepspeed_config.zero_stage');
  if (stage && s.zero < 3) for (let z = s.zero + 1; z <= 3; z++) out.push({ title: `Raise the ZeRO stage to ${z}`, edits: [{ range: stage.valueRange, newText: String(z) }] });
  const strat = loc(w, 'fsdp_config.fsdp_sharding_strategy');
  if (strat && s.zero < 3) out.push({ title: 'Shard parameters too (FULL_SHARD)', edits: [{ range: strat.valueRange, newText: 'FULL_SHARD' }] });
  const dev = loc(w, ds ? 'zero_optimization.offload_optimizer.device' : 'deepspeed_config.offload_optimizer_device');
  if (s.offloadOptimizer === 'none' && s.zero >= 1) {
    if (dev) out.push({ title: 'Offload the optimizer to the CPU', edits: [{ range: dev.valueRange, newText: ds ? '"cpu"' : 'cpu' }] });
    else if (ds && stage) out.push({ title: 'Offload the optimizer to the CPU', edits: [{ range: { start: stage.valueRange.end, end: stage.valueRange.end }, newText: ', "offload_optimizer": { "device": "cpu", "pin_memory": true }' }] });
  }
  const n = loc(w, 'num_processes');
  if (n && typeof n.value === 'number') out.push({ title: `Use ${n.value * 2} GPUs (num_processes)`, edits: [{ range: n.valueRange, newText: String(n.value * 2) }] });
  const tbs = loc(w, 'train_batch_size');
  if (tbs && typeof tbs.value === 'number') out.push({ title: `Use ${s.gpus * 2} GPUs (train_batch_size ${tbs.value * 2})`, edits: [{ range: tbs.valueRange, newText: String(tbs.value * 2) }] });
  return out;
}

function fixes(w: WorkloadFile, a: Analysis, text: string, better: (e: Estimate) => boolean): Fix[] {
  const out: Fix[] = [];
  for (const c of candidates(w, a)) {
    const est = afterEdits(w, a, text, c.edits);
    if (est && better(est)) out.push({ ...c, est });
  }
  const ok = (f: Fix) => f.est.memory.fits === true && f.est.memory.host_fits !== false;
  return out.sort((x, y) => Number(ok(y)) - Number(ok(x)) || x.est.memory.peak_bytes - y.est.memory.peak_bytes);
}

/**
 * For a training YAML joined with the DeepSpeed JSON it names: the JSON's own fixes (raise the stage, offload the
 * optimizer, more GPUs through train_batch_size), as edits to the JSON, each re-estimated by parsing the edited JSON.
 */
export function joinedFixes(ds: WorkloadFile, a: Analysis, text: string): Fix[] {
  return fixes(ds, a, text, (e) => e.memory.peak_bytes < a.estimate.memory.peak_bytes);
}

function diagnostic(at: KeyLocation | undefined, message: string, fs: Fix[]): FitDiagnostic {
  return {
    range: at ? at.keyRange : ZERO_RANGE,
    message,
    severity: 'warning',
    code: DOES_NOT_FIT,
    key: at?.key,
    fixes: fs.map((f, i) => {
      const ok = f.est.memory.fits === true && f.est.memory.host_fits !== false;
      return { title: `${f.title} (→ ${formatBytes(f.est.memory.device_bytes)} per GPU${f.est.memory.host_bytes ? `, host ${formatBytes(f.est.memory.host_bytes)}` : ''}${ok ? ', fits' : ', still over'})`, edits: f.edits, peakBytes: f.est.memory.peak_bytes, fits: f.est.memory.fits, preferred: i === 0 && ok };
    }),
  };
}

/** The diagnostics of a DeepSpeed JSON or an accelerate config. */
export function distDiagnostics(w: WorkloadFile, a: Analysis, text: string): FitDiagnostic[] {
  const out: FitDiagnostic[] = [];
  const m = a.estimate.memory;
  const ds = w.kind === 'deepspeed';
  const stageKey = loc(w, ds ? 'zero_optimization.stage' : 'deepspeed_config.zero_stage') ?? loc(w, 'fsdp_config.fsdp_sharding_strategy') ?? loc(w, ds ? 'zero_optimization' : 'distributed_type') ?? w.keys[0];
  if (a.gpu && a.fits === false) {
    const fs = fixes(w, a, text, (e) => e.memory.peak_bytes < m.peak_bytes);
    const best = fs[0];
    let msg = `Does not fit ${shortGpuName(a.gpu)}: needs ≈ ${formatBytes(m.device_bytes)} per GPU of ${formatBytes(a.gpu.memoryBytes)} on ${a.scenario.gpus} GPU${a.scenario.gpus === 1 ? '' : 's'}.`;
    if (best) msg += ` ${best.title}: → ${formatBytes(best.est.memory.device_bytes)}${best.est.memory.fits ? ', fits' : ''}.`;
    out.push(diagnostic(stageKey, msg, fs));
  }
  if (m.host_fits === false) {
    const at = loc(w, ds ? 'zero_optimization.offload_optimizer.device' : 'deepspeed_config.offload_optimizer_device') ?? loc(w, 'zero_optimization.offload_param.device') ?? loc(w, 'fsdp_config.fsdp_offload_params') ?? stageKey;
    const fs = fixes(w, a, text, (e) => e.memory.host_fits !== false && e.memory.fits !== false);
    out.push(diagnostic(at, `The host RAM does not fit: ${formatBytes(m.host_bytes)} per node of ${formatBytes(a.scenario.hostMemory ?? 0)} (offloaded states and pinned buffers of ${Math.min(a.scenario.gpus, a.scenario.gpusPerNode)} ranks).`, fs));
  }
  return out;
}

/**
 * A launch script whose setup does not fit: a warning on its GPU-count option, with more GPUs as fixes, each
 * re-estimated with the GPU count the edited line gives (the configs it runs are the same).
 */
export function launchDiagnostics(line: LaunchLine, a: Analysis, text: string): FitDiagnostic[] {
  if (!a.gpu || a.fits !== false) return [];
  const at = line.gpusLocation ?? undefined;
  const fs: Fix[] = [];
  const n = at ? Number(at.value) : NaN;
  for (const m of at && n >= 1 ? [2, 4] : []) {
    const edits = [{ range: at!.valueRange, newText: String(n * m) }];
    const edited = firstLaunch(parseLaunchScript(applyEdits(text, edits)).value);
    if (!edited?.gpus) continue;
    try {
      const patch = { gpus: edited.gpus, ...(edited.gpusPerNode && edited.gpusPerNode <= 64 ? { gpusPerNode: edited.gpusPerNode } : {}) };
      const est = estimateSpec(a.spec, parseScenario({ ...a.scenario, ...patch }), engineOptions(a));
      if (est.memory.peak_bytes < a.estimate.memory.peak_bytes) fs.push({ title: `Use ${edited.gpus} GPUs (${at!.key} ${n * m})`, edits, est });
    } catch {
      // An invalid world size for this setup: not offered.
    }
  }
  const ok = (f: Fix) => f.est.memory.fits === true && f.est.memory.host_fits !== false;
  fs.sort((x, y) => Number(ok(y)) - Number(ok(x)) || x.est.memory.peak_bytes - y.est.memory.peak_bytes);
  const m = a.estimate.memory;
  let msg = `Does not fit ${shortGpuName(a.gpu)}: needs ≈ ${formatBytes(m.device_bytes)} per GPU of ${formatBytes(a.gpu.memoryBytes)} on ${a.scenario.gpus} GPU${a.scenario.gpus === 1 ? '' : 's'}.`;
  if (fs[0]) msg += ` ${fs[0].title}: → ${formatBytes(fs[0].est.memory.device_bytes)}${fs[0].est.memory.fits ? ', fits' : ''}.`;
  const d = diagnostic(at, msg, fs);
  return [at ? d : { ...d, range: line.launcherRange }];
}
