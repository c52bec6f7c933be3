/**
 * The Methods view: one model, batch and sequence, the memory-saving training methods in columns (full AMP, full
 * bf16, 8-bit AdamW, LoRA, QLoRA, GaLore, GaLore 8-bit layer-wise, APOLLO, APOLLO-Mini), each with its peak per
 * GPU, the terms that differ and the catalog GPUs it fits — the same numbers as `llm-footprint compare --json`
 * (core/compare.ts). Sortable by peak.
 */
import { compareMethods, COMPARE_TERMS, formatBytes, type MethodColumn, type ModelSpec, type Scenario } from '../src/core/index.ts';
import { clear, h } from './dom.ts';

const TERM_LABEL: Record<string, string> = {
  weights: 'Weights',
  lora_adapters: 'Adapters',
  gradients: 'Gradients',
  optimizer_states: 'Optimizer states',
  optimizer_states_paged: 'Paged states (unified memory)',
  optimizer_temporaries: 'Step temporaries',
  activations: 'Activations',
  logits: 'Logits + loss',
};

let sortByPeak = false;

export function methodsPanel(spec: ModelSpec | null, sc: Scenario | null, targetGpu: string | null): HTMLElement {
  const box = h('div', { id: 'methods', class: 'compare', 'data-testid': 'methods' });
  if (!spec || !sc) {
    box.append(h('p', { class: 'muted' }, 'No model config.'));
    return box;
  }
  const sort = h('vscode-button', { secondary: true, id: 'methods-sort', 'data-testid': 'methods-sort', 'aria-pressed': String(sortByPeak) }, sortByPeak ? 'In the usual order' : 'Sort by peak');
  const table = h('div', {});
  const fill = () => {
    clear(table);
    const cols = compareMethods(spec, { ...sc, mode: 'training' });
    if (sortByPeak) cols.sort((a, b) => (a.peak_bytes ?? Infinity) - (b.peak_bytes ?? Infinity));
    table.append(methodsTable(cols, targetGpu));
  };
  sort.addEventListener('click', () => {
    sortByPeak = !sortByPeak;
    sort.textContent = sortByPeak ? 'In the usual order' : 'Sort by peak';
    sort.setAttribute('aria-pressed', String(sortByPeak));
    fill();
  });
  fill();
  box.append(
    h('p', { class: 'muted' }, `Training at batch ${sc.batch} × seq ${sc.seq}${sc.gradCheckpointing ? ', gradient checkpointing' : ''}: the terms at each method's peak.`),
    h('div', { class: 'actions' }, sort),
    table,
  );
  return box;
}

function methodsTable(cols: MethodColumn[], targetGpu: string | null): HTMLElement {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Method'));
  for (const c of cols) head.append(h('th', { scope: 'col', 'data-method': c.id }, c.label));
  const peak = h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'Peak per GPU'));
  const device = h('tr', {}, h('th', { scope: 'row' }, 'With CUDA context'));
  const fits = h('tr', {}, h('th', { scope: 'row' }, targetGpu ? `Fits ${targetGpu}` : 'Fits (catalog GPUs)'));
  for (const c of cols) {
    if (c.peak_bytes === null) {
      peak.append(h('td', { class: 'error', 'data-testid': 'method-error', 'data-method': c.id }, c.error ?? ''));
      device.append(h('td', {}, ''));
      fits.append(h('td', {}, ''));
      continue;
    }
    peak.append(h('td', { class: 'num', 'data-testid': 'method-peak', 'data-method': c.id, 'data-bytes': c.peak_bytes }, formatBytes(c.peak_bytes)));
    device.append(h('td', { class: 'num' }, formatBytes(c.device_bytes ?? 0)));
    const ok = targetGpu ? c.fits.includes(targetGpu) : null;
    fits.append(
      h(
        'td',
        { 'data-testid': 'method-fits', 'data-method': c.id, class: ok === true ? 'ok' : ok === false ? 'bad' : '', title: c.fits.join(', ') },
        ok === null ? `${c.fits.length} GPUs` : ok ? `✓ (${c.fits.length} GPUs)` : `✗ (${c.fits.length} GPUs)`,
      ),
    );
  }
  const rows = [peak, device, fits];
  for (const id of COMPARE_TERMS) {
    const values = cols.map((c) => c.terms[id] ?? 0);
    if (values.every((v) => v === values[0])) continue;
    const tr = h('tr', { 'data-term': id }, h('th', { scope: 'row' }, TERM_LABEL[id] ?? id));
    for (const v of values) tr.append(h('td', { class: 'num' }, formatBytes(v)));
    rows.push(tr);
  }
  return h('table', { class: 'compare-table', 'data-testid': 'methods-table' }, h('caption', { class: 'sr-only' }, 'Training methods side by side'), h('thead', {}, head), h('tbody', {}, ...rows));
}
