/** Plain-text rendering of an estimate for terminals (no colours; stable for CI logs). */
import type { Estimate } from '../core/report.ts';
import { formatBytes, formatCount } from '../core/units.ts';
import { scenarioSummary } from '../shared/scenario-summary.ts';

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
  lines.push('');
  const w = Math.max(28, ...m.terms.map((t) => t.label.length + 2), ...m.device_terms.map((t) => t.label.length + 4));
  lines.push(`  ${pad('term', w)}${pad('bytes', 16, true)}${pad('', 12, true)}${pad('share', 8, true)}`);
  for (const t of m.terms) {
    const share = m.peak_bytes > 0 ? `${((100 * t.bytes) / m.peak_bytes).toFixed(1)}%` : '';
    lines.push(`  ${pad(t.label, w)}${pad(t.bytes.toLocaleString('en-US'), 16, true)}${pad(formatBytes(t.bytes), 12, true)}${pad(share, 8, true)}`);
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
  for (const w2 of e.warnings) lines.push(`  note: ${w2}`);
  return lines.join('\n');
}
