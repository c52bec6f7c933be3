/** Short time texts shared by the CLI table, CodeLens, hovers and the panel: "≈ 0.52 s/step · 15.7k tokens/s". */
import type { TimeFigures } from './time.ts';

/** "850 µs", "12.3 ms", "0.52 s", "3.4 min", "5.2 h", "3.1 days". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  if (s < 120) return `${s.toPrecision(3)} s`;
  if (s < 7200) return `${(s / 60).toPrecision(3)} min`;
  if (s < 172800) return `${(s / 3600).toPrecision(3)} h`;
  return `${(s / 86400).toPrecision(3)} days`;
}

/** "15.7k tokens/s". */
export function formatRate(perS: number, unit = 'tokens/s'): string {
  if (perS >= 1e6) return `${(perS / 1e6).toPrecision(3)}M ${unit}`;
  if (perS >= 1e3) return `${(perS / 1e3).toPrecision(3)}k ${unit}`;
  return `${perS.toPrecision(3)} ${unit}`;
}

/** One line for a scenario's expected time, or null when no figure could be computed. */
export function timeSummary(t: TimeFigures): string | null {
  const bits: string[] = [];
  if (t.train_step_s !== undefined) bits.push(`≈ ${formatSeconds(t.train_step_s)}/step`);
  else if (t.decode_step_s !== undefined) bits.push(`TTFT ≈ ${formatSeconds(t.ttft_s!)}`, `≈ ${formatSeconds(t.decode_step_s)}/decode step`);
  else if (t.prefill_s !== undefined) bits.push(`≈ ${formatSeconds(t.prefill_s)}/forward`);
  if (t.tokens_per_s !== undefined) bits.push(formatRate(t.tokens_per_s));
  if (t.epoch_s !== undefined) bits.push(`${formatSeconds(t.epoch_s)}/epoch`);
  return bits.length ? bits.join(' · ') : null;
}
