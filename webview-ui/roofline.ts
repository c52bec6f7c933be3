/**
 * The Roofline view: every operator of the scenario as a point (arithmetic intensity, attainable FLOP/s) under the
 * GPU's two roofs (memory bandwidth × intensity, peak FLOP/s), log-log, and a table of each operator's time.
 * Points are focusable (Tab) and named for screen readers; the table carries the same numbers as text.
 */
import { formatSeconds, timeSummary, type Estimate, type RooflineOp } from '../src/core/index.ts';
import { h, s } from './dom.ts';

export interface RoofGeometry {
  sx: (intensity: number) => number;
  sy: (flops: number) => number;
  /** Log10 bounds of the axes. */
  x: [number, number];
  y: [number, number];
  /** The roof polyline: the bandwidth slope up to the ridge, then the flat peak. */
  roof: string;
}

/** Log-log axes spanning the operators and the ridge, with the roof as an SVG path. */
export function roofGeometry(ops: readonly RooflineOp[], peak: number, bandwidth: number, w: number, h: number, pad = 40, padLeft = 72): RoofGeometry {
  const ridge = peak / bandwidth;
  const finite = ops.map((o) => o.intensity).filter((i) => Number.isFinite(i) && i > 0);
  const x: [number, number] = [Math.floor(Math.log10(Math.min(ridge / 100, ...finite))), Math.ceil(Math.log10(Math.max(ridge * 10, ...finite)))];
  const y: [number, number] = [Math.floor(Math.log10(bandwidth * 10 ** x[0])), Math.ceil(Math.log10(peak * 1.5))];
  const sx = (i: number) => padLeft + ((Math.log10(i) - x[0]) / (x[1] - x[0])) * (w - padLeft - pad);
  const sy = (f: number) => h - pad - ((Math.log10(f) - y[0]) / (y[1] - y[0])) * (h - 2 * pad);
  const roof = `M${sx(10 ** x[0]).toFixed(1)},${sy(bandwidth * 10 ** x[0]).toFixed(1)} L${sx(ridge).toFixed(1)},${sy(peak).toFixed(1)} L${sx(10 ** x[1]).toFixed(1)},${sy(peak).toFixed(1)}`;
  return { sx, sy, x, y, roof };
}

/** Attainable FLOP/s of an operator at the roof. */
export function attainable(o: RooflineOp, peak: number, bandwidth: number): number {
  return Number.isFinite(o.intensity) ? Math.min(peak, o.intensity * bandwidth) : peak;
}

const si = (v: number, unit: string) => {
  const e = v >= 1e15 ? [1e15, 'P'] : v >= 1e12 ? [1e12, 'T'] : v >= 1e9 ? [1e9, 'G'] : v >= 1e6 ? [1e6, 'M'] : v >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${(v / (e[0] as number)).toPrecision(3)} ${e[1] as string}${unit}`;
};

function chart(est: Estimate, W: number, H: number): SVGElement {
  const r = est.roofline;
  const g = roofGeometry(r.ops, r.peak_flops, r.bandwidth, W, H);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'roofline-chart', role: 'group', 'data-testid': 'roofline-chart', 'aria-label': `Roofline of ${r.gpu}: ${si(r.peak_flops, 'FLOP/s')} ${r.compute_dtype}, ${si(r.bandwidth, 'B/s')}, ridge at ${r.ridge_intensity.toFixed(0)} FLOP/byte` });
  for (let e = g.x[0]; e <= g.x[1]; e++) svg.append(s('text', { x: g.sx(10 ** e), y: H - 24, 'text-anchor': 'middle', class: 'tick' }, `10^${e}`), s('line', { x1: g.sx(10 ** e), x2: g.sx(10 ** e), y1: 40, y2: H - 40, class: 'grid' }));
  for (let e = g.y[0]; e <= g.y[1]; e++) svg.append(s('text', { x: 66, y: g.sy(10 ** e) + 4, 'text-anchor': 'end', class: 'tick' }, si(10 ** e, 'FLOP/s')), s('line', { x1: 72, x2: W - 40, y1: g.sy(10 ** e), y2: g.sy(10 ** e), class: 'grid' }));
  svg.append(s('path', { d: g.roof, class: 'roof', 'data-testid': 'roof' }));
  r.ops.forEach((o, i) => {
    if (!(o.flops > 0)) return; // pure data movement (no FLOPs) has no place on a log axis; the table lists it
    const f = attainable(o, r.peak_flops, r.bandwidth);
    const ix = Number.isFinite(o.intensity) ? o.intensity : 10 ** g.x[1];
    const label = `${o.phase}: ${o.name}, ${o.intensity.toPrecision(3)} FLOP/byte, ${o.bound}-bound, ${formatSeconds(o.time_s)}`;
    const c = s('circle', { cx: g.sx(ix), cy: g.sy(f), r: 5, class: `op ${o.bound} phase-${o.phase.split(' ')[0]!}`, tabindex: 0, role: 'img', 'aria-label': label, 'data-op': i, 'data-testid': 'roofline-op', 'data-intensity': o.intensity, 'data-bound': o.bound }, s('title', {}, label));
    c.addEventListener('focus', () => document.getElementById(`roof-row-${i}`)?.classList.add('focused'));
    c.addEventListener('blur', () => document.getElementById(`roof-row-${i}`)?.classList.remove('focused'));
    svg.append(c);
  });
  svg.append(s('text', { x: W / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, 'arithmetic intensity (FLOP/byte, log scale)'));
  return svg;
}

function opsTable(est: Estimate): HTMLElement {
  const rows = est.roofline.ops.map((o, i) =>
    h('tr', { id: `roof-row-${i}` }, h('td', {}, o.phase), h('td', {}, o.name), h('td', { class: 'num' }, si(o.flops, 'FLOP')), h('td', { class: 'num' }, si(o.bytes, 'B')), h('td', { class: 'num' }, o.intensity.toPrecision(3)), h('td', {}, o.bound), h('td', { class: 'num' }, formatSeconds(o.time_s))),
  );
  return h(
    'table',
    { class: 'terms roofline-ops', 'data-testid': 'roofline-table' },
    h('caption', {}, 'Time per operator at the roofline (100% of the GPU’s numbers)'),
    h('thead', {}, h('tr', {}, ...['phase', 'operator', 'FLOPs', 'bytes', 'FLOP/byte', 'bound', 'time'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows),
  );
}

/** Fills the Roofline tab for an estimate: the figures, the chart and the table, or why there is no time. */
export function fillRoofline(box: HTMLElement, est: Estimate): void {
  const t = est.time;
  if (t.reason) {
    box.append(h('p', { class: 'error', role: 'status', 'data-testid': 'roofline-reason' }, `No time: ${t.reason}.`));
    return;
  }
  box.append(
    h('p', { 'data-testid': 'time-expected' }, `Expected: ${timeSummary(t) ?? '—'} (${t.note}).`),
    h('p', { 'data-testid': 'time-roofline' }, `Roofline bound: ${timeSummary(est.roofline) ?? '—'}.`),
    h('div', { class: 'chart' }, chart(est, 640, 320)),
    h('div', { class: 'table-wrap' }, opsTable(est)),
  );
}
