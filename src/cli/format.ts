/** Plain-text rendering of an estimate for terminals (no colours; stable for CI logs). */
import type { Estimate } from '../core/report.ts';
import { formatBytes, formatCount } from '../core/units.ts';
import { scenarioSummary } from '../shared/scenario-summary.ts';
import { timeSummary } from '../core/roofline/format.ts';

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function renderTable(e: Estimate, title: string): string {
  const m = e.memory;
  const lines: string[] = [];
  lines.push(title);
  const p = e.params;
  const moe = e.model.moe ? ` · MoE ${e.model.moe.experts} experts, top-${e.model.moe.top_k} (${formatCount(p.active)} active)` : '';
  lines.push(`  model   ${e.model.type} · ${formatCount(p.total)} params (${formatCount(p.embedding)} embedding) · ${e.model.layers} layers · ${e.model.attention}${moe}`);
  lines.push(`  setup   ${scenarioSummary(e.scenario)}${p.trainable ? ` · ${formatCount(p.trainable)} trainable` : ''}`);
  const fit = m.gpu ? ` · ${m.fits ? 'fits' : 'does NOT fit'} ${m.gpu.name} (${formatBytes(m.gpu.memory_bytes)})` : '';
  lines.push(`  peak    ${formatBytes(m.peak_bytes)} live at "${m.peak_phase}" · ≈ ${formatBytes(m.device_bytes)} on the device${fit}`);
  lines.push(...worldLines(e));
  lines.push('');
  const w = Math.max(28, ...m.terms.map((t) => t.label.length + (t.where === 'gpu' ? 2 : 8)), ...m.device_terms.map((t) => t.label.length + 4));
  lines.push(`  ${pad('term', w)}${pad('bytes', 16, true)}${pad('', 12, true)}${pad('share', 8, true)}`);
  for (const t of m.terms) {
    // Host and NVMe terms are not part of the GPU peak: marked, without a share of it.
    const label = t.where === 'gpu' ? t.label : `${t.label} [${t.where}]`;
    const share = m.peak_bytes > 0 && t.where === 'gpu' ? `${((100 * t.bytes) / m.peak_bytes).toFixed(1)}%` : '';
    lines.push(`  ${pad(label, w)}${pad(t.bytes.toLocaleString('en-US'), 16, true)}${pad(formatBytes(t.bytes), 12, true)}${pad(share, 8, true)}`);
  }
  lines.push(`  ${pad('= peak (live tensors)', w)}${pad(m.peak_bytes.toLocaleString('en-US'), 16, true)}${pad(formatBytes(m.peak_bytes), 12, true)}`);
  for (const t of m.device_terms) {
    lines.push(`  ${pad(`+ ${t.label}`, w)}${pad(t.bytes.toLocaleString('en-US'), 16, true)}${pad(formatBytes(t.bytes), 12, true)}`);
  }
  lines.push(`  ${pad('= device (nvidia-smi)', w)}${pad(m.device_bytes.toLocaleString('en-US'), 16, true)}${pad(formatBytes(m.device_bytes), 12, true)}`);
  if (m.kv_bytes_per_token > 0 && e.scenario.mode === 'inference') lines.push(`  KV cache per token of context: ${formatBytes(m.kv_bytes_per_token)}`);
  if (m.serving) {
    const sv = m.serving;
    lines.push(
      `  vLLM: budget ${formatBytes(sv.budget_bytes)} · KV pool ${formatBytes(sv.kv_pool_bytes)} · ${formatBytes(sv.kv_bytes_per_request)} per full-length request · max concurrency ${sv.max_concurrency}`,
    );
  }
  lines.push(...timeLines(e));
  for (const w2 of e.warnings) lines.push(`  note: ${w2}`);
  return lines.join('\n');
}

/** Expected time and the roofline bound, or why there is none. */
function timeLines(e: Estimate): string[] {
  const t = e.time;
  if (t.reason) return [`  time    not computed: ${t.reason}`];
  const r = e.roofline;
  const out = [`  time    ${timeSummary(t) ?? 'no figure'}  (expected: ${t.note})`];
  const bound = timeSummary(r);
  if (bound) out.push(`  roof    ${bound}  (bound at 100% of ${r.gpu}: ${(r.peak_flops / 1e12).toFixed(0)} TFLOP/s ${r.compute_dtype}, ${(r.bandwidth / 1e12).toFixed(2)} TB/s)`);
  return out;
}

/** One line per kind of rank, the layout, host RAM per node and NVMe; nothing on one GPU without offload. */
export function worldLines(e: Estimate): string[] {
  const m = e.memory;
  const out: string[] = [];
  const p = e.parallel;
  if (p) {
    const degrees = (['dp', 'tp', 'pp', 'ep', 'cp'] as const).filter((k) => p[k] > 1).map((k) => `${k} ${p[k]}`).join(' × ');
    const nodes = p.nodes > 1 ? ` on ${p.nodes} nodes of ${p.gpus_per_node}` : '';
    out.push(`  layout  ${p.strategy} · ${p.gpus} GPUs${degrees ? ` (${degrees})` : ''}${nodes}`);
  }
  if (m.ranks.length > 1 || (p && m.ranks.length === 1)) {
    for (const r of m.ranks) {
      const fit = r.fits === null ? '' : r.fits ? ' · fits' : ' · does NOT fit';
      out.push(`  rank    ${r.rank} ×${r.count}: ${formatBytes(r.peak_bytes)} peak at "${r.peak_phase}" · ≈ ${formatBytes(r.device_bytes)} on the device${fit}`);
    }
  }
  if (m.host_bytes > 0) {
    const fit = m.host_fits === null ? '' : ` · ${m.host_fits ? 'fits' : 'does NOT fit'} ${formatBytes(e.scenario.hostMemory ?? 0)}`;
    out.push(`  host    ${formatBytes(m.host_bytes)} RAM per node${fit}`);
  }
  if (m.nvme_bytes > 0) out.push(`  nvme    ${formatBytes(m.nvme_bytes)} per node`);
  return out;
}
