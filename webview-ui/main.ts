/**
 * The breakdown webview: stacked bar of the terms against the GPU, a table with formulas (values substituted) and
 * sources, what-if controls generated from SCENARIO_FIELDS that re-estimate instantly (the engine is bundled
 * here; the extension only sends the parsed config and scenario), a side-by-side comparison and a
 * peak-vs-batch/sequence curve. Built with plain DOM + @vscode-elements/elements (CSP-clean Lit components).
 */
import './csp-setup.ts';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { estimateSpec, formatBytes, parseScenario, readModelConfig, type Estimate, type ModelSpec, type Scenario, type ScenarioInput, type Gpu } from '../src/core/index.ts';
import { isHostMessage, isWebviewState, type PanelData, type PanelView, type WebviewMessage, type WebviewState } from '../src/shared/protocol.ts';
import { countLabel, percentLabel, shortGpuName, tokensLabel } from '../src/shared/labels.ts';
import { estimateMarkdown, substitute } from '../src/shared/markdown.ts';
import { clear, css, h, s } from './dom.ts';
import { methodsPanel } from './methods.ts';
import { fillRoofline } from './roofline.ts';
import { capacityOf, coerce, rankRows, controlsFor, fitOf, curveGeometry, displayValue, sanitizeScenario, stackedSegments, sweep, type Control } from './model.ts';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): unknown;
  setState(s: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Lit adopts constructable stylesheets (no <style> elements); should it ever fall back, it uses this nonce.
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
if (scriptNonce) (globalThis as { litNonce?: string }).litNonce = scriptNonce;

const api = acquireVsCodeApi();
const VIEWS: PanelView[] = ['breakdown', 'compare', 'curve', 'roofline', 'methods'];
const saved = api.getState();
const state: WebviewState = isWebviewState(saved) ? saved : { data: null, scenario: null, compare: [], view: 'breakdown', curveAxis: 'batch' };
let spec: ModelSpec | null = null;
let specError: string | null = null;

const app = document.getElementById('app')!;
loadSpec();

function post(m: WebviewMessage): void {
  api.postMessage(m);
}

function persist(): void {
  api.setState(state);
}

function loadSpec(): void {
  spec = null;
  specError = null;
  if (!state.data) return;
  try {
    spec = readModelConfig(state.data.config);
  } catch (e) {
    specError = (e as Error).message;
  }
}

/** The user's GPUs the extension sent (llmFootprint.customGpus, plain numbers). */
function userGpus(): Gpu[] {
  return state.data?.customGpus ?? [];
}

function run(input: ScenarioInput | null): { est: Estimate | null; sc: Scenario | null; error: string | null } {
  if (!spec || !input) return { est: null, sc: null, error: specError ?? 'No model config.' };
  try {
    const sc = parseScenario(sanitizeScenario(input));
    return { est: estimateSpec(spec, sc, { customGpus: userGpus() }), sc, error: null };
  } catch (e) {
    return { est: null, sc: null, error: (e as Error).message };
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  const m: unknown = ev.data;
  if (!isHostMessage(m)) return;
  if (m.type === 'load') {
    const d: PanelData = m.data;
    const prev = state.data;
    // A reload of the same file whose scenario did not change (an edit elsewhere, a restored panel) keeps the
    // user's what-ifs; a new file or a changed scenario starts from the file again.
    const same = !!prev && prev.source.uri === d.source.uri && JSON.stringify(prev.scenario) === JSON.stringify(d.scenario);
    state.data = d;
    if (!same || !state.scenario) state.scenario = sanitizeScenario(d.scenario);
    if (d.compare) state.compare = d.compare.map(sanitizeScenario);
    else if (!same || state.compare.length === 0) state.compare = [d.scenario, d.scenario].map(sanitizeScenario);
    if (d.view) state.view = d.view;
    loadSpec();
    render();
  } else if (m.type === 'setView') {
    state.view = m.view;
    render();
  } else if (m.type === 'setGpu') {
    if (state.scenario) state.scenario = { ...state.scenario, gpu: m.gpu };
    state.compare = state.compare.map((c) => ({ ...c, gpu: m.gpu }));
    render();
  }
});

// ---------- rendering ----------

function render(): void {
  const focusedId = (document.activeElement as HTMLElement | null)?.id;
  persist();
  clear(app);
  if (!state.data || !state.scenario) {
    app.append(h('p', { class: 'loading' }, 'Open a model config, training YAML or vllm serve script and run “LLM Footprint: Show Memory Breakdown”.'));
    return;
  }
  const d = state.data;
  app.append(header(d));
  const summaryEl = h('section', { id: 'summary', class: 'summary', 'aria-label': 'Estimate summary' });
  app.append(summaryEl);

  const tabs = h('vscode-tabs', { id: 'tabs', 'selected-index': VIEWS.indexOf(state.view) });
  tabs.append(
    h('vscode-tab-header', { slot: 'header', id: 'tab-breakdown', 'data-testid': 'tab-breakdown' }, 'Breakdown'),
    h('vscode-tab-panel', {}, breakdownPanel()),
    h('vscode-tab-header', { slot: 'header', id: 'tab-compare', 'data-testid': 'tab-compare' }, 'Compare'),
    h('vscode-tab-panel', {}, comparePanel()),
    h('vscode-tab-header', { slot: 'header', id: 'tab-curve', 'data-testid': 'tab-curve' }, state.curveAxis === 'batch' ? 'Peak vs batch' : 'Peak vs sequence'),
    h('vscode-tab-panel', {}, curvePanel()),
    h('vscode-tab-header', { slot: 'header', id: 'tab-roofline', 'data-testid': 'tab-roofline' }, 'Roofline'),
    h('vscode-tab-panel', {}, h('div', { id: 'roofline', class: 'roofline', 'data-testid': 'roofline' })),
    h('vscode-tab-header', { slot: 'header', id: 'tab-methods', 'data-testid': 'tab-methods' }, 'Methods'),
    h('vscode-tab-panel', {}, methodsPanel(spec, run(state.scenario).sc, run(state.scenario).sc?.gpu ?? null)),
  );
  tabs.addEventListener('vsc-tabs-select', (e: Event) => {
    const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    state.view = VIEWS[i] ?? 'breakdown';
    persist();
  });
  app.append(tabs);
  updateResults();
  barResize.disconnect();
  const chart = document.getElementById('chart');
  if (chart) barResize.observe(chart);
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function header(d: PanelData): HTMLElement {
  const open = h('vscode-button', { secondary: true, id: 'open-source', 'data-testid': 'open-source', title: `Open ${d.source.label}` }, 'Open file');
  open.addEventListener('click', () => post({ type: 'openSource', uri: d.source.uri }));
  const copy = h('vscode-button', { id: 'copy-markdown', 'data-testid': 'copy-markdown' }, 'Copy as Markdown');
  copy.addEventListener('click', () => {
    const { est } = run(state.scenario);
    if (!est) return;
    const { gpu, fits } = fitOf(est, userGpus());
    post({ type: 'copyMarkdown', markdown: estimateMarkdown(est, { title: `LLM Footprint: ${d.source.label}`, gpuName: gpu?.name ?? null, fits }) });
  });
  const reset = h('vscode-button', { secondary: true, id: 'reset', 'data-testid': 'reset', title: 'Back to the values in the file' }, 'Reset to file');
  reset.addEventListener('click', () => {
    state.scenario = sanitizeScenario(d.scenario);
    render();
  });
  const notes = d.notes.length
    ? h('ul', { class: 'notes', 'data-testid': 'notes', 'aria-label': 'Notes from the file' }, ...d.notes.map((n) => h('li', {}, n)))
    : null;
  return h(
    'header',
    { class: 'header' },
    h('div', { class: 'title' }, h('h1', {}, d.source.label), d.source.modelLabel ? h('span', { class: 'muted', 'data-testid': 'model-label' }, `model: ${d.source.modelLabel}`) : null),
    h('div', { class: 'actions' }, copy, open, reset),
    specError ? h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, `Cannot read the model config: ${specError}`) : null,
    notes,
  );
}

function breakdownPanel(): HTMLElement {
  const mode = state.scenario?.mode ?? 'inference';
  const form = h('form', { id: 'controls', class: 'controls', 'aria-labelledby': 'whatif-title', 'data-testid': 'controls' });
  form.addEventListener('submit', (e) => e.preventDefault());
  const sc = run(state.scenario).sc;
  const values: Record<string, unknown> = { ...(sc ?? {}), ...(state.scenario ?? {}) };
  for (const c of controlsFor(mode, (values.runtime ?? 'pytorch') as Scenario['runtime'], userGpus())) {
    form.append(
      field(c, values[c.field.key], `f-${c.field.key}`, { 'data-field': c.field.key }, (v) => {
        state.scenario = { ...state.scenario, [c.field.key]: v };
        // The mode and the runtime decide which controls exist.
        if (c.field.key === 'mode' || c.field.key === 'runtime') render();
        else {
          persist();
          updateResults();
        }
      }),
    );
  }
  // The answer first (bar against the GPU, then the terms), the what-if controls after it: a compact grid below
  // the table, or a side column when the panel is wide (media/webview.css).
  return h(
    'div',
    { class: 'breakdown' },
    h('div', { class: 'results' }, h('div', { id: 'chart', 'data-testid': 'chart' }), h('div', { id: 'table', class: 'table-wrap' }), h('div', { id: 'warnings' })),
    h(
      'section',
      { class: 'whatif', 'aria-labelledby': 'whatif-title' },
      h('h2', { id: 'whatif-title' }, 'What if'),
      h('p', { class: 'help' }, 'Changes re-estimate at once; Reset to file goes back to the file’s values.'),
      form,
    ),
  );
}

/** One control generated from a scenario field; `extra` carries data-* attributes for tests. */
function field(c: Control, value: unknown, id: string, extra: Record<string, string>, onChange: (v: unknown) => void): HTMLElement {
  const f = c.field;
  let el: HTMLElement;
  const helpId = `${id}-help`;
  if (f.kind === 'bool' && !c.options) {
    el = h('vscode-checkbox', { id, label: f.label, 'aria-describedby': helpId, ...extra });
    (el as HTMLElement & { checked: boolean }).checked = value === true;
    el.addEventListener('change', () => onChange((el as HTMLElement & { checked: boolean }).checked));
  } else if (c.options) {
    el = h('vscode-single-select', { id, 'aria-label': f.label, 'aria-describedby': helpId, ...extra });
    const cur = displayValue(value);
    for (const [v, label] of c.options) el.append(h('vscode-option', { value: v, selected: v === cur, description: v && label !== v ? v : null }, label));
    el.addEventListener('change', () => {
      const raw = (el as HTMLElement & { value: string }).value;
      try {
        onChange(coerce(f, raw));
      } catch {
        /* options are always valid */
      }
    });
  } else {
    const range = f.kind === 'number' ? { min: 0, max: 1, step: 0.01 } : { min: f.min ?? (f.key === 'newTokens' ? 0 : 1), ...(f.max !== undefined ? { max: f.max } : {}) };
    el = h('vscode-textfield', { id, type: f.kind === 'string' ? 'text' : 'number', ...(f.kind === 'string' ? {} : range), 'aria-label': f.label, 'aria-describedby': helpId, placeholder: c.nullable ? 'none' : '', ...extra });
    (el as HTMLElement & { value: string }).value = displayValue(value);
    const handler = () => {
      try {
        const v = coerce(f, (el as HTMLElement & { value: string }).value);
        el.removeAttribute('invalid');
        onChange(v);
      } catch {
        el.setAttribute('invalid', '');
      }
    };
    el.addEventListener('input', handler);
    el.addEventListener('change', handler);
  }
  return h(
    'div',
    { class: `field field-${f.kind}` },
    f.kind === 'bool' ? null : h('label', { for: id }, f.label),
    el,
    h('small', { id: helpId, class: 'help' }, f.help),
  );
}

// The bar is drawn at the chart's width in pixels (a fixed viewBox would scale its text and height with the panel);
// it is redrawn when that width changes (panel resized, or the Breakdown tab shown after a hidden render).
let barWidth = 0;
const barResize = new ResizeObserver((entries) => {
  const w = Math.round(entries[0]?.contentRect.width ?? 0);
  if (w > 0 && Math.abs(w - barWidth) > 1) updateResults();
});

function updateResults(): void {
  const { est, error } = run(state.scenario);
  const summary = document.getElementById('summary');
  const chart = document.getElementById('chart');
  const table = document.getElementById('table');
  const warnings = document.getElementById('warnings');
  if (!summary || !chart || !table || !warnings) return;
  clear(summary);
  clear(chart);
  clear(table);
  clear(warnings);
  if (!est) {
    summary.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, error ?? 'Cannot estimate.'));
    return;
  }
  const { gpu, bytes: cap } = fitOf(est, userGpus());
  const parts = summaryParts(est);
  summary.append(...parts.filter((x): x is HTMLElement => x !== null));
  barWidth = Math.round(chart.clientWidth) || 640;
  const bar = stackedBar(est, cap, gpu ? shortGpuName(gpu) : null, barWidth);
  chart.append(bar.el);
  const ranks = ranksView(est, cap);
  if (ranks) chart.append(ranks);
  table.append(termsTable(est, bar.colors));
  const ws = est.warnings;
  if (ws.length) warnings.append(h('ul', { class: 'warnings', 'data-testid': 'warnings' }, ...ws.map((w) => h('li', {}, w))));
  const curve = document.getElementById('curve');
  if (curve) fillCurve(curve);
  const roof = document.getElementById('roofline');
  if (roof) {
    clear(roof);
    fillRoofline(roof, est);
  }
  document.getElementById('methods')?.replaceWith(methodsPanel(spec, run(state.scenario).sc, run(state.scenario).sc?.gpu ?? null));
}

/** One bar per kind of rank (device bytes against the GPU), then host RAM and NVMe per node; null on one plain GPU. */
function ranksView(est: Estimate, cap: number | null): HTMLElement | null {
  const rows = rankRows(est, cap);
  if (!rows.length) return null;
  const list = h('ul', { class: 'ranks', 'data-testid': 'ranks', 'aria-label': 'Memory per kind of rank, host RAM and NVMe' });
  for (const r of rows) {
    const bar = css(h('span', { class: `rank-bar ${r.where}${r.fits === false ? ' bad' : ''}` }), { width: `${(100 * Math.min(1, r.fraction)).toFixed(1)}%` });
    const fit = r.fits === null ? '' : r.fits ? ' ✓' : ' ✗';
    list.append(h('li', { 'data-testid': `rank-${r.where}`, 'data-bytes': r.bytes, 'data-label': r.label }, h('span', { class: 'rank-label' }, r.label), h('span', { class: 'rank-track' }, bar), h('span', { class: 'rank-value' }, `${formatBytes(r.bytes)}${fit}`)));
  }
  return list;
}

/** The summary above the tabs: peak, device total, the fit, vLLM's pool and concurrency, peak phase, parameters. */
function summaryParts(est: Estimate): (HTMLElement | null)[] {
  const { gpu, bytes: cap, budget, fits } = fitOf(est, userGpus());
  const sv = est.memory.serving;
  const reqLen = tokensLabel(est.scenario.seq + est.scenario.newTokens);
  let target = 'Target';
  if (budget !== null) target = `Target (vLLM: ${percentLabel(est.scenario.gpuMemoryUtilization)} of the GPU)`;
  return [
    h(
      'div',
      { class: 'big' },
      h('span', { class: 'label' }, 'Peak per GPU'),
      h('strong', { 'data-testid': 'peak-bytes', 'data-bytes': est.memory.peak_bytes, title: `${est.memory.peak_bytes.toLocaleString('en-US')} bytes` }, formatBytes(est.memory.peak_bytes)),
    ),
    h(
      'div',
      {},
      h('span', { class: 'label' }, 'With CUDA context and allocator'),
      h('span', { 'data-testid': 'device-bytes', 'data-bytes': est.memory.device_bytes }, formatBytes(est.memory.device_bytes)),
    ),
    gpu
      ? h(
          'div',
          {},
          h('span', { class: 'label' }, target),
          h(
            'span',
            { class: `fit ${fits ? 'ok' : 'bad'}`, 'data-testid': 'fit-status', 'data-fits': String(fits), role: 'status' },
            budget !== null
              ? `${fits ? '✓ fits' : `✗ one ${reqLen} request does not fit`} ${shortGpuName(gpu)} (${formatBytes(budget)} of ${formatBytes(cap!)})`
              : `${fits ? '✓ fits' : '✗ does not fit'} ${shortGpuName(gpu)} (${formatBytes(cap!)})`,
          ),
        )
      : null,
    // vLLM: how the budget splits, and how many full-length requests its KV pool holds at once.
    sv
      ? h(
          'div',
          {},
          h('span', { class: 'label' }, 'KV pool (preallocated)'),
          h('span', { 'data-testid': 'kv-pool', 'data-value': sv.kv_pool_bytes, title: `${sv.kv_pool_bytes.toLocaleString('en-US')} bytes` }, formatBytes(sv.kv_pool_bytes)),
        )
      : null,
    sv
      ? h(
          'div',
          {},
          h('span', { class: 'label' }, `KV per ${reqLen} request`),
          h('span', { 'data-testid': 'kv-per-request', 'data-value': sv.kv_bytes_per_request, title: `${sv.kv_bytes_per_request.toLocaleString('en-US')} bytes` }, formatBytes(sv.kv_bytes_per_request)),
        )
      : null,
    sv
      ? h(
          'div',
          {},
          h('span', { class: 'label' }, 'Max concurrency'),
          h(
            'span',
            { 'data-testid': 'max-concurrency', 'data-value': sv.max_concurrency, title: 'Requests of the full length (max-model-len) the KV pool holds at once; vLLM queues the rest' },
            `${sv.max_concurrency} × ${reqLen} requests${sv.max_concurrency < est.scenario.batch ? ` (of ${est.scenario.batch} seqs)` : ''}`,
          ),
        )
      : null,
    h('div', {}, h('span', { class: 'label' }, 'Peak at'), h('span', { 'data-testid': 'peak-phase' }, est.memory.peak_phase)),
    h(
      'div',
      {},
      h('span', { class: 'label' }, 'Parameters'),
      h('span', { 'data-testid': 'params' }, est.scenario.mode === 'training' ? `${countLabel(est.params.total)} (${countLabel(est.params.trainable)} trainable)` : countLabel(est.params.total)),
    ),
  ];
}

/** The stacked bar (a figure with its legend) and each drawn term's color, for the table's swatches. */
function stackedBar(est: Estimate, cap: number | null, gpuName: string | null, W: number): { el: HTMLElement; colors: Map<string, string> } {
  const H = 62;
  const { segments, capacityX } = stackedSegments(est, cap, W - 2);
  const total = est.memory.device_bytes;
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'bar',
    role: 'img',
    'data-testid': 'breakdown-chart',
    'aria-label': `Memory breakdown: ${segments.map((g) => `${g.label} ${formatBytes(g.bytes)}`).join(', ')}; total ${formatBytes(total)}${cap ? ` of ${formatBytes(cap)}` : ''}`,
  });
  svg.append(css(s('rect', { x: 1, y: 10, width: W - 2, height: 26, rx: 2, class: 'track' }), {}));
  for (const g of segments) {
    const r = s('rect', { x: 1 + g.x, y: 10, width: Math.max(0, g.width), height: 26, 'data-segment-id': g.id, class: g.device ? 'seg device' : 'seg' }, s('title', {}, `${g.label}: ${formatBytes(g.bytes)}`));
    css(r, { fill: g.color });
    svg.append(r);
  }
  if (capacityX !== null) {
    svg.append(s('line', { x1: 1 + capacityX, x2: 1 + capacityX, y1: 3, y2: 43, class: 'capacity' }));
    svg.append(s('text', { x: Math.min(W - 4, capacityX), y: 57, class: 'capacity-label', 'text-anchor': 'end' }, `${gpuName ?? 'GPU'} ${cap ? formatBytes(cap) : ''}`));
  }
  const wrap = h('figure', { class: 'chart' });
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' });
  for (const g of segments) {
    const sw = css(h('span', { class: `swatch${g.device ? ' device' : ''}` }), { background: g.color });
    legend.append(h('li', {}, sw, `${g.label} ${formatBytes(g.bytes)}`));
  }
  wrap.append(svg, legend);
  return { el: wrap, colors: new Map(segments.map((g) => [g.id, g.color])) };
}

function termsTable(est: Estimate, colors: Map<string, string>): HTMLElement {
  const rows = [...est.memory.terms.map((t) => ({ t, device: false })), ...est.memory.device_terms.map((t) => ({ t, device: true }))];
  const total = est.memory.device_bytes;
  const pct = (b: number) => (total > 0 ? `${((100 * b) / total).toFixed(1)} %` : '—');
  const body = h('tbody');
  for (const { t, device } of rows) {
    const onGpu = device || t.where === 'gpu';
    const color = colors.get(t.id);
    const swatch = css(h('span', { class: `swatch${device ? ' device' : ''}${color ? '' : ' none'}`, 'aria-hidden': 'true' }), color ? { background: color } : {});
    const where = device ? 'device only' : t.where !== 'gpu' ? t.where : null;
    body.append(
      h(
        'tr',
        { 'data-term-id': t.id, 'data-bytes': t.bytes, class: device ? 'device' : t.where !== 'gpu' ? 'host' : '' },
        h(
          'th',
          { scope: 'row' },
          h('span', { class: 'term' }, swatch, t.label, where ? h('span', { class: 'tag', title: device ? 'Held by the CUDA context or the allocator, not by tensors' : `Held in ${t.where} memory, not on the GPU` }, where) : null),
          t.note ? h('div', { class: 'note' }, t.note) : null,
        ),
        h('td', { class: 'num', title: `${t.bytes.toLocaleString('en-US')} bytes` }, formatBytes(t.bytes)),
        h('td', { class: 'num share' }, onGpu ? pct(t.bytes) : '—'),
        h('td', { class: 'formula' }, h('code', {}, t.formula), h('div', {}, h('code', { 'data-testid': 'formula-values' }, `= ${substitute(t.formula, t.inputs)}`))),
        h('td', { class: 'source' }, t.source),
      ),
    );
  }
  body.append(
    h(
      'tr',
      { class: 'total', 'data-testid': 'total-row' },
      h('th', { scope: 'row' }, `Peak (${est.memory.peak_phase})`),
      h('td', { class: 'num' }, formatBytes(est.memory.peak_bytes)),
      h('td', { class: 'num share' }, pct(est.memory.peak_bytes)),
      h('td', { colspan: 2 }, `With device-only terms: ${formatBytes(est.memory.device_bytes)}${est.memory.host_bytes ? `; host: ${formatBytes(est.memory.host_bytes)}` : ''}`),
    ),
  );
  return h(
    'table',
    { class: 'terms', 'data-testid': 'terms-table' },
    h('caption', { class: 'sr-only' }, 'Memory terms with their share of the device total, formula, values and source'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Term'),
        h('th', { scope: 'col', class: 'num' }, 'Size'),
        h('th', { scope: 'col', class: 'num', title: `Share of the device total (${formatBytes(total)}, the whole bar)` }, 'Share'),
        h('th', { scope: 'col' }, 'Formula (values substituted)'),
        h('th', { scope: 'col' }, 'Source'),
      ),
    ),
    body,
  );
}

// ---------- comparison ----------

function comparePanel(): HTMLElement {
  const add = h('vscode-button', { id: 'compare-add', 'data-testid': 'compare-add' }, 'Add scenario');
  add.addEventListener('click', () => {
    state.compare = [...state.compare, { ...(state.compare[state.compare.length - 1] ?? state.scenario ?? {}) }];
    persist();
    fillCompare(document.getElementById('compare')!);
  });
  const fromMain = h('vscode-button', { secondary: true, id: 'compare-from-breakdown', title: 'Add the Breakdown tab’s scenario' }, 'Add current what-if');
  fromMain.addEventListener('click', () => {
    state.compare = [...state.compare, { ...(state.scenario ?? {}) }];
    persist();
    fillCompare(document.getElementById('compare')!);
  });
  const box = h('div', { id: 'compare', class: 'compare' });
  fillCompare(box);
  return h('div', {}, h('div', { class: 'actions' }, add, fromMain), box);
}

type CompareRun = ReturnType<typeof run> & { input: ScenarioInput };

function fillCompare(box: HTMLElement): void {
  const focusedId = (document.activeElement as HTMLElement | null)?.id;
  clear(box);
  const runs: CompareRun[] = state.compare.map((c) => ({ input: c, ...run(c) }));
  const body = h('tbody');
  body.append(...compareResultRows(runs), ...compareFieldRows(runs, box), ...compareTermRows(runs));
  box.append(h('table', { class: 'compare-table', 'data-testid': 'compare-table' }, h('caption', { class: 'sr-only' }, 'Scenarios side by side'), h('thead', {}, compareHeaderRow(runs, box)), body));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/** "Scenario 1 ✕", "Scenario 2 ✕" …: one column per scenario, each with its remove button. */
function compareHeaderRow(runs: CompareRun[], box: HTMLElement): HTMLElement {
  const head = h('tr', {}, h('th', { scope: 'col' }, ''));
  runs.forEach((_, i) => {
    const rm = h('vscode-button', { secondary: true, id: `compare-remove-${i}`, 'aria-label': `Remove scenario ${i + 1}`, disabled: state.compare.length <= 1 }, '✕');
    rm.addEventListener('click', () => {
      state.compare = state.compare.filter((_, j) => j !== i);
      persist();
      fillCompare(box);
    });
    head.append(h('th', { scope: 'col', 'data-scenario-index': i }, `Scenario ${i + 1} `, rm));
  });
  return head;
}

/** Peak (with its difference to the first scenario), device total and fit of each scenario. */
function compareResultRows(runs: CompareRun[]): HTMLElement[] {
  const first = runs[0]?.est ?? null;
  const peakRow = h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'Peak per GPU'));
  const devRow = h('tr', {}, h('th', { scope: 'row' }, 'With CUDA context'));
  const fitRow = h('tr', {}, h('th', { scope: 'row' }, 'Fits'));
  runs.forEach((r, i) => {
    if (!r.est) {
      peakRow.append(h('td', { class: 'error', 'data-testid': 'compare-error', 'data-scenario-index': i }, r.error ?? ''));
      devRow.append(h('td', {}, ''));
      fitRow.append(h('td', {}, ''));
      return;
    }
    const diff = first && i > 0 ? r.est.memory.peak_bytes - first.memory.peak_bytes : 0;
    peakRow.append(
      h(
        'td',
        { class: 'num', 'data-testid': 'compare-peak', 'data-scenario-index': i, 'data-bytes': r.est.memory.peak_bytes },
        formatBytes(r.est.memory.peak_bytes),
        i > 0 && diff !== 0 ? h('div', { class: diff > 0 ? 'delta up' : 'delta down' }, `${diff > 0 ? '+' : '−'}${formatBytes(Math.abs(diff))}`) : null,
      ),
    );
    devRow.append(h('td', { class: 'num' }, formatBytes(r.est.memory.device_bytes)));
    const { gpu, fits } = fitOf(r.est, userGpus());
    fitRow.append(h('td', { 'data-testid': 'compare-fits', 'data-scenario-index': i, 'data-fits': String(fits), class: fits ? 'ok' : fits === false ? 'bad' : '' }, gpu ? `${fits ? '✓' : '✗'} ${shortGpuName(gpu)}` : '—'));
  });
  return [peakRow, devRow, fitRow];
}

/** Controls: one row per field of either mode; a field that does not apply to a column's mode shows "—". */
function compareFieldRows(runs: CompareRun[], box: HTMLElement): HTMLElement[] {
  const keys = new Map<string, Control>();
  for (const c of [...controlsFor('inference', 'vllm', userGpus()), ...controlsFor('training', 'pytorch', userGpus())]) keys.set(c.field.key, c);
  return [...keys].map(([key, c]) => {
    const tr = h('tr', { 'data-compare-field': key }, h('th', { scope: 'row' }, c.field.label));
    runs.forEach((r, i) => {
      const mode = r.sc?.mode ?? r.input.mode ?? 'inference';
      if (key !== 'mode' && !c.field.modes.includes(mode)) {
        tr.append(h('td', { class: 'muted' }, '—'));
        return;
      }
      const value = (r.input as Record<string, unknown>)[key] ?? (r.sc as Record<string, unknown> | null)?.[key];
      tr.append(
        h(
          'td',
          {},
          field(c, value, `c${i}-${key}`, { 'data-compare-field': key, 'data-scenario-index': String(i) }, (v) => {
            state.compare = state.compare.map((x, j) => (j === i ? { ...x, [key]: v } : x));
            persist();
            fillCompare(box);
          }),
        ),
      );
    });
    return tr;
  });
}

/**
 * One row per term id; when the scenarios label it differently ("Base weights (frozen)" vs "Weights"), the row is
 * named after the id.
 */
function compareTermRows(runs: CompareRun[]): HTMLElement[] {
  const labels = new Map<string, Set<string>>();
  for (const r of runs) for (const t of r.est?.memory.terms ?? []) (labels.get(t.id) ?? labels.set(t.id, new Set()).get(t.id)!).add(t.label);
  const termIds: [string, string][] = [...labels].map(([id, ls]) => [id, ls.size === 1 ? [...ls][0]! : id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())]);
  return termIds.map(([id, label], k) => {
    const tr = h('tr', { 'data-compare-term-id': id, class: k === 0 ? 'first-term' : null }, h('th', { scope: 'row', class: 'sub' }, label));
    for (const r of runs) {
      const t = r.est?.memory.terms.find((x) => x.id === id);
      tr.append(h('td', { class: 'num' }, t ? formatBytes(t.bytes) : '—'));
    }
    return tr;
  });
}

// ---------- curve ----------

function curvePanel(): HTMLElement {
  const sel = h('vscode-single-select', { id: 'curve-axis', 'aria-label': 'Curve axis', 'data-testid': 'curve-axis' });
  for (const [v, l] of [
    ['batch', 'Peak vs batch'],
    ['seq', 'Peak vs sequence length'],
  ] as const) {
    sel.append(h('vscode-option', { value: v, selected: state.curveAxis === v }, l));
  }
  sel.addEventListener('change', () => {
    state.curveAxis = (sel as HTMLElement & { value: string }).value === 'seq' ? 'seq' : 'batch';
    persist();
    fillCurve(document.getElementById('curve')!);
  });
  return h('div', {}, h('div', { class: 'actions' }, h('label', { for: 'curve-axis' }, 'Axis'), sel), h('div', { id: 'curve', class: 'curve' }));
}

function fillCurve(box: HTMLElement): void {
  clear(box);
  const { sc } = run(state.scenario);
  if (!spec || !sc) return;
  const { gpu, bytes: cap } = capacityOf(sc.gpu, userGpus());
  const sw = sweep(spec, sc, state.curveAxis, cap, userGpus());
  if (sw.points.length < 2) return;
  const W = 640;
  const H = 300;
  const g = curveGeometry(sw, cap, W, H);
  const axisName = state.curveAxis === 'batch' ? 'batch' : 'sequence length';
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'curve-chart', role: 'img', 'data-testid': 'curve-chart', 'aria-label': `Device memory against ${axisName}; ${sw.maxFit ? `largest ${axisName} that fits: ${sw.maxFit}` : 'none fits'}` });
  const L = g.left;
  svg.append(s('line', { x1: L, x2: W - 40, y1: H - 40, y2: H - 40, class: 'axis' }), s('line', { x1: L, x2: L, y1: 40, y2: H - 40, class: 'axis' }));
  for (const p of sw.points) {
    svg.append(s('text', { x: g.sx(p.x), y: H - 24, 'text-anchor': 'middle', class: 'tick' }, p.x >= 1024 && p.x % 1024 === 0 ? `${p.x / 1024}K` : String(p.x)));
  }
  for (let i = 1; i <= 4; i++) {
    const y = (g.maxY * i) / 4;
    svg.append(s('text', { x: L - 6, y: g.sy(y) + 4, 'text-anchor': 'end', class: 'tick' }, formatBytes(y)));
    svg.append(s('line', { x1: L, x2: W - 40, y1: g.sy(y), y2: g.sy(y), class: 'grid' }));
  }
  if (g.capacityY !== null) {
    svg.append(s('line', { x1: L, x2: W - 40, y1: g.capacityY, y2: g.capacityY, class: 'capacity' }));
    svg.append(s('text', { x: W - 42, y: g.capacityY - 6, 'text-anchor': 'end', class: 'capacity-label' }, `${gpu ? shortGpuName(gpu) : 'GPU'} ${formatBytes(cap!)}`));
  }
  svg.append(s('path', { d: g.path, class: 'line' }));
  for (const p of sw.points) {
    const c = s('circle', { cx: g.sx(p.x), cy: g.sy(p.device), r: p.x === sc[state.curveAxis] ? 5 : 3, class: p.x === sc[state.curveAxis] ? 'point current' : 'point', 'data-x': p.x, 'data-bytes': p.device });
    c.append(s('title', {}, `${axisName} ${p.x}: ${formatBytes(p.device)}`));
    svg.append(c);
  }
  svg.append(s('text', { x: W / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, `${axisName} (log scale)`));
  const fit = h(
    'p',
    { 'data-testid': 'max-fit', 'data-value': sw.maxFit ?? '' },
    sw.maxFit ? `Largest ${axisName} that fits ${gpu ? shortGpuName(gpu) : 'the GPU'}: ${sw.maxFit.toLocaleString('en-US')}` : cap ? `Even ${axisName} 1 does not fit.` : 'No target GPU.',
  );
  box.append(svg, fit);
}

render();
post({ type: 'ready' });
