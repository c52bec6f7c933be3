/** Short labels for numbers and GPUs, shared by the editor's text (hovers, CodeLens, diagnostics) and the webview. */
import { formatBytes } from '../core/units.ts';

/** "NVIDIA H100 SXM 80GB" → "H100 80GB". */
export function shortGpuName(gpu: { name: string }): string {
  return gpu.name
    .replace(/^(NVIDIA|AMD)\s+/, '')
    .replace(/\b(GeForce|Instinct|RTX)\s+/, (m) => (m.startsWith('RTX') ? m : ''))
    .replace(/\s+SXM2?\b/, '')
    .trim();
}

/** 131072 → "128K", 32768 → "32K", 4000 → "4,000". */
export function tokensLabel(n: number): string {
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return n.toLocaleString('en-US');
}

/** 8030261248 → "8.03 B". */
export function countLabel(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

/** 0.9 → "90%". */
export function percentLabel(f: number): string {
  return `${Math.round(f * 1000) / 10}%`;
}

/** A change in bytes with its sign, for "would change the peak by …": "+" or "−" and the size. */
export function signedBytes(n: number): string {
  return `${n < 0 ? '−' : '+'}${formatBytes(Math.abs(n))}`;
}
