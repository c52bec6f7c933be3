/**
 * The estimate as Markdown ("Copy Estimate as Markdown" in the editor and "Copy as Markdown" in the webview), and
 * the formula text with its values substituted, which the webview's table shows too.
 */
import type { Estimate } from '../core/report.ts';
import { formatBytes } from '../core/units.ts';
import { countLabel } from './labels.ts';
import { requestTokens, scenarioSummary } from './scenario-summary.ts';

/**
 * Text from a workspace file as plain Markdown text: every character Markdown or VS Code's hover gives a meaning to
 * (emphasis, links, images, HTML, code, theme icons `$(…)`) is backslash-escaped, and control characters (newlines
 * included) become spaces, so a value can neither format, link, load an image nor run a command.
 */
export function escapeMarkdown(s: string): string {
  // The values sit mid-line (newlines are gone), so line-start syntax (#, -, 1.) cannot apply; `://` is broken up so
  // that no bare URL becomes a link.
  return String(s)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\\`*_[\]()<>!|~$&#]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\://');
}

/**
 * Text from a workspace file for a plain-text label that VS Code still scans for theme icons (CodeLens titles,
 * status bar): `$(name)` is escaped, control characters become spaces.
 */
export function escapeLabel(s: string): string {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\$\(/g, '\\$(');
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The estimate as a Markdown table (Copy Estimate as Markdown). */
export function estimateMarkdown(e: Estimate, opts: { title?: string; gpuName?: string | null; fits?: boolean | null } = {}): string {
  const m = e.memory;
  const s = e.scenario;
  const out: string[] = [];
  out.push(`### ${opts.title ?? 'LLM Footprint estimate'}`, '');
  out.push(`- Model: ${e.model.type}, ${countLabel(e.params.total)} params (${countLabel(e.params.trainable)} trainable)`);
  out.push(`- Scenario: ${scenarioSummary(s)}`);
  out.push(`- Peak (live tensors, ${m.peak_phase}): **${formatBytes(m.peak_bytes)}** (${m.peak_bytes} bytes)`);
  out.push(`- Device (with CUDA context and allocator): ${formatBytes(m.device_bytes)}`);
  const gpuName = opts.gpuName ?? m.gpu?.name ?? null;
  const fits = opts.fits ?? m.fits;
  if (gpuName) out.push(`- Target GPU: ${gpuName} — ${fits ? 'fits' : 'does not fit'}`);
  if (m.serving) {
    out.push(
      `- vLLM: budget ${formatBytes(m.serving.budget_bytes)}, KV pool ${formatBytes(m.serving.kv_pool_bytes)}, ${formatBytes(m.serving.kv_bytes_per_request)} per ${requestTokens(s)}-token request, ${m.serving.max_concurrency} requests at once`,
    );
  }
  out.push('', '| Term | Bytes | Size | Formula | Source |', '|---|---:|---:|---|---|');
  for (const t of [...m.terms, ...m.device_terms]) {
    out.push(`| ${mdEscape(t.label)}${t.where !== 'gpu' ? ` (${t.where})` : ''} | ${t.bytes} | ${formatBytes(t.bytes)} | \`${mdEscape(substitute(t.formula, t.inputs))}\` | ${mdEscape(t.source)} |`);
  }
  if (e.warnings.length) out.push('', ...e.warnings.map((w) => `> ${w}`));
  return out.join('\n') + '\n';
}

/** `batch * seq * hidden * 2` with inputs {batch: 1, …} → `1 * 4096 * 4096 * 2`. Longest names first. */
export function substitute(formula: string, inputs: Record<string, number>): string {
  const names = Object.keys(inputs).sort((x, y) => y.length - x.length);
  if (names.length === 0) return formula;
  const re = new RegExp(`\\b(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'g');
  return formula.replace(re, (n) => String(inputs[n]));
}
