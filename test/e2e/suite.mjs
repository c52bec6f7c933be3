// The end-to-end tests: a real VS Code (code-server) with the packaged extension, driven by headless Chromium.
// Every number the extension shows is checked against the CLI (`llm-footprint estimate --json`) for the same scenario.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliEstimate, scenarioFlags, estimateFile, cliScenarioKeys, GiB, CLI } from './cli.mjs';

const COMMAND_BREAKDOWN = 'LLM Footprint: Show Memory Breakdown';
const UNITS = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** The CLI table's expected-time summary ("TTFT ≈ 1.12 s · ≈ 27.2 ms/decode step · 294 tokens/s"), or null. */
function cliTimeSummary(file, args) {
  const out = execFileSync(process.execPath, [CLI, 'estimate', file, ...args], { encoding: 'utf8', timeout: 60_000 });
  const m = /^ {2}time {4}(.+?) {2}\(expected/m.exec(out);
  return m ? m[1] : null;
}

/** Parses "41.3 GiB" → bytes. */
export function parseSize(text) {
  const m = /([\d][\d,]*(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)\b/.exec(text);
  if (!m) return null;
  return Number(m[1].replace(/,/g, '')) * UNITS[m[2]];
}

/** Whether `shown` (a rounded figure with `digits` decimals in `unit`) can be a rounding of `exact` bytes. */
function roundsTo(shownText, exactBytes) {
  const m = /([\d][\d,]*(?:\.(\d+))?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)\b/.exec(shownText);
  if (!m) return false;
  const unit = UNITS[m[3]];
  const decimals = m[2]?.length ?? 0;
  const shown = Number(m[1].replace(/,/g, ''));
  const tol = 0.5 * 10 ** -decimals + 1e-9;
  return Math.abs(exactBytes / unit - shown) <= tol * 1.0001;
}

/** GPUs the e2e code-server's user settings define (llmFootprint.customGpus), typed as a user would. */
export const E2E_CUSTOM_GPUS = [
  { id: 'e2e-roomy', name: 'E2E Roomy', memory: '40 GiB', bandwidth: '1 TB/s' },
  { id: 'e2e-tight', name: 'E2E Tight', memory: '2 * 4 GiB' },
];

function fmt(bytes) {
  return `${(bytes / GiB).toFixed(3)} GiB (${bytes} B)`;
}

/** Reads the what-if controls of the webview: { batch: 8, mode: 'training', gradCheckpointing: true, … }. */
async function webviewScenario(frame) {
  return frame.locator('[data-field]').evaluateAll((els) => {
    const out = {};
    for (const el of els) {
      const key = el.getAttribute('data-field');
      if (!key || key in out) continue;
      const type = (el.getAttribute('type') || '').toLowerCase();
      const tag = el.tagName.toLowerCase();
      let value;
      if (type === 'checkbox' || tag === 'vscode-checkbox' || tag === 'vscode-switch' || el.getAttribute('role') === 'switch') {
        value = Boolean(el.checked);
      } else if ('value' in el) value = el.value;
      else value = el.getAttribute('value') ?? el.textContent;
      if (typeof value === 'string') {
        value = value.trim();
        if (/^-?\d+$/.test(value)) value = Number(value);
      }
      out[key] = value;
    }
    return out;
  });
}

/** The scenario as CLI flags: only the options the CLI understands, none that mean "default". */
function flagsFor(scenario) {
  const s = {};
  const keys = cliScenarioKeys();
  for (const [k, v] of Object.entries(scenario)) {
    if (!keys.includes(k) && !keys.includes(`no${k[0].toUpperCase()}${k.slice(1)}`) && k !== 'logits') continue;
    if (v === '' || v === null || v === undefined) continue;
    if (typeof v === 'string' && /^(default|auto|none|\(default\)|off)$/i.test(v) && k !== 'kvDtype') continue;
    s[k] = v;
  }
  if (s.mode === 'inference') {
    delete s.optimizer;
    delete s.gradCheckpointing;
    delete s.loraRank;
  } else if (s.mode === 'training') {
    delete s.newTokens;
    delete s.kvDtype;
  }
  return scenarioFlags(s);
}

async function peakBytes(frame, { timeout = 20_000 } = {}) {
  const peak = frame.locator('[data-testid="peak-bytes"]');
  try {
    await peak.first().waitFor({ timeout });
  } catch {
    throw new Error('the webview shows no element [data-testid="peak-bytes"] (is the breakdown webview built?)');
  }
  const raw = await peak.first().getAttribute('data-bytes');
  assert.ok(raw !== null && /^\d+$/.test(raw), `[data-testid="peak-bytes"] has no integer data-bytes attribute (got ${raw})`);
  return Number(raw);
}

async function waitForPeakChange(frame, before, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let now = before;
  while (Date.now() < deadline) {
    now = await peakBytes(frame);
    if (now !== before) return now;
    await new Promise((r) => setTimeout(r, 150));
  }
  return now;
}

/** Sets a what-if control (text field, number input or select) to `value`. */
async function setControl(wb, frame, field, value) {
  const control = frame.locator(`[data-field="${field}"]`).first();
  try {
    await control.waitFor({ timeout: 10_000 });
  } catch {
    throw new Error(`the webview has no what-if control [data-field="${field}"]`);
  }
  const tag = await control.evaluate((el) => el.tagName.toLowerCase());
  if (tag === 'select') {
    await control.selectOption(String(value));
    return;
  }
  if (tag === 'input' && (await control.getAttribute('type')) === 'range') {
    await control.evaluate((el, v) => {
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, String(value));
    return;
  }
  await control.click();
  await wb.page.keyboard.press('Control+A');
  await wb.page.keyboard.type(String(value));
  await wb.page.keyboard.press('Tab');
}

export function discoverExamples(workspace) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSafe(dir)) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = path.join(dir, name);
      if (isDir(p)) walk(p);
      else files.push(p);
    }
  };
  walk(workspace);
  const rel = (p) => path.relative(workspace, p);
  const text = (p) => readFileSync(p, 'utf8');
  const modelConfigs = files.filter((p) => p.endsWith('.json') && /"(model_type|architectures)"/.test(text(p)));
  const axolotl = files.filter((p) => /\.ya?ml$/.test(p) && /^\s*micro_batch_size\s*:/m.test(text(p)));
  const llamafactory = files.filter((p) => /\.ya?ml$/.test(p) && /^\s*per_device_train_batch_size\s*:/m.test(text(p)));
  const vllm = files.filter((p) => /\.(sh|bash)$/.test(p) && /vllm\s+serve/.test(text(p)));
  const prefer = (list, re) => list.find((p) => re.test(p)) ?? list[0];
  return {
    files: files.map(rel),
    modelConfig: modelConfigs.length ? rel(prefer(modelConfigs, /llama/i)) : null,
    modelConfigs: modelConfigs.map(rel),
    axolotl: axolotl.length ? rel(axolotl[0]) : null,
    llamafactory: llamafactory.map(rel),
    vllm: vllm.map(rel),
  };
}

import { readdirSync, statSync } from 'node:fs';
function readdirSafe(d) {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}
function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Default target GPU of the extension (its `llmFootprint.gpu` setting), if it declares one. */
function defaultGpu(pkg) {
  const conf = pkg.contributes?.configuration;
  const lists = Array.isArray(conf) ? conf : conf ? [conf] : [];
  for (const c of lists) {
    const p = c.properties?.['llmFootprint.gpu'];
    if (p && typeof p.default === 'string' && p.default) return p.default;
  }
  return null;
}

/**
 * @param {object} ctx { wb, cs, workspace, results, pkg, state }
 * @returns {{name: string, fn: () => Promise<void>}[]}
 */
export function tests(ctx) {
  const { wb, workspace, results, pkg } = ctx;
  const st = ctx.state;
  const ex = discoverExamples(workspace);
  const shot = (name) => wb.screenshot(path.join(results, `${name}-${st.theme}.png`));
  const abs = (rel) => path.join(workspace, rel);
  const displayName = pkg.displayName ?? pkg.name;
  const gpu = defaultGpu(pkg);
  /** Selects the extension's default target GPU again (after a test picked another), waiting for the CodeLens. */
  const selectDefaultGpu = async () => {
    if (!gpu) return;
    const cliPath = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'dist', 'cli.js');
    const name = JSON.parse(execFileSync(process.execPath, [cliPath, 'gpus', '--json'], { encoding: 'utf8' })).find((x) => x.id === gpu).name;
    await wb.runCommand('LLM Footprint: Select Target GPU');
    await wb.pick(name);
    await wb.codeLenses({ match: new RegExp(name.split(' ')[1]), timeout: 15_000 });
  };
  const gpuFlags = gpu ? ['--gpu', gpu] : [];

  const needModelConfig = () => {
    assert.ok(ex.modelConfig, `examples/ holds no model config.json (files: ${ex.files.join(', ') || 'none'})`);
    return ex.modelConfig;
  };
  const needAxolotl = () => {
    assert.ok(ex.axolotl, `examples/ holds no axolotl YAML with micro_batch_size (files: ${ex.files.join(', ') || 'none'})`);
    return ex.axolotl;
  };

  async function checkCodeLens(rel, scenarioArgs, label, { checkFits = true } = {}) {
    const cli = Array.isArray(scenarioArgs) ? cliEstimate(abs(rel), scenarioArgs) : estimateFile(abs(rel), workspace, scenarioArgs);
    const serving = cli.memory.serving ?? null; // vllm runtime: a KV pool sized from the GPU
    // A vllm scenario may be summarized by its concurrency ("≈ 31 × 32K requests at once …") or by its peak.
    const want = serving ? /requests at once|peak per GPU/i : /peak/i;
    const lenses = await wb.codeLenses({ match: want });
    const lens = lenses.find((t) => want.test(t));
    assert.ok(lens, `no CodeLens with "${want.source}" on ${rel} (CodeLenses shown: ${JSON.stringify(lenses)})`);
    if (serving && /requests at once/i.test(lens)) {
      // "≈ 31 × 32K requests at once · KV pool 55.5 GiB · fits H100 80GB at 90%"
      const m = /≈\s*(\d+)\s*×\s*\S+\s+requests at once/.exec(lens);
      assert.ok(m, `CodeLens text has the wrong form for a vllm scenario: "${lens}"`);
      assert.equal(Number(m[1]), serving.max_concurrency, `CodeLens "${lens}" on ${rel}: CLI max_concurrency is ${serving.max_concurrency} (${label})`);
      const pool = /KV pool\s+([\d.,]+\s*(?:KiB|MiB|GiB|TiB))/.exec(lens) ?? /pool\s+([\d.,]+\s*(?:KiB|MiB|GiB|TiB))/.exec(lens);
      if (pool) {
        assert.ok(roundsTo(pool[1], serving.kv_pool_bytes), `CodeLens "${lens}" on ${rel}: KV pool differs from the CLI's ${fmt(serving.kv_pool_bytes)}`);
      }
    } else {
      assert.match(lens, /≈\s*[\d.,]+\s*(KiB|MiB|GiB|TiB|GB|TB)\s+peak per GPU/, `CodeLens text has the wrong form: "${lens}"`);
      const ok = roundsTo(lens, cli.memory.peak_bytes) || roundsTo(lens, cli.memory.device_bytes);
      assert.ok(
        ok,
        `CodeLens "${lens}" on ${rel} does not match the CLI (${label}): peak ${fmt(cli.memory.peak_bytes)}, device ${fmt(cli.memory.device_bytes)}`,
      );
    }
    if (checkFits && cli.memory.gpu && cli.memory.fits !== null) {
      const saysFits = /\bfits\b/i.test(lens) && !/(does not|doesn't|won't|not) fit/i.test(lens);
      assert.equal(saysFits, cli.memory.fits, `CodeLens "${lens}" disagrees with the CLI on fitting ${cli.memory.gpu.name} (CLI fits=${cli.memory.fits})`);
    }
    return { lens, cli };
  }

  return [
    {
      name: 'workbench loads with the examples workspace',
      async fn() {
        await wb.open(ctx.cs.workspaceUrl);
        const rows = await wb.page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
        assert.ok(rows.length > 0, 'the explorer shows no files');
        // The user settings ask for Default Dark Modern; it applies once the theme extensions are read.
        await wb.waitForThemeClass('vs-dark').catch(() => {
          throw new Error('the workbench never switched to the dark theme set in the user settings');
        });
        st.theme = 'dark';
      },
    },
    {
      name: 'extension is installed: its commands are in the palette',
      async fn() {
        const rows = await wb.quickPickRows('>LLM Footprint:');
        await wb.closeQuickInput();
        assert.ok(
          rows.some((r) => r.includes(COMMAND_BREAKDOWN)),
          `"${COMMAND_BREAKDOWN}" is not in the command palette; rows: ${JSON.stringify(rows)}`,
        );
      },
    },
    {
      name: 'extension activates on opening a model config (and reports its activation time)',
      async fn() {
        const rel = needModelConfig();
        await wb.openFile(rel);
        const id = `${pkg.publisher}.${pkg.name}`;
        const deadline = Date.now() + 20_000;
        let activated = false;
        while (!activated && Date.now() < deadline) {
          activated = ctx.cs.exthostLogs().concat(ctx.cs.logFiles().filter((f) => /exthost/.test(f))).some((f) => {
            try {
              return readFileSync(f, 'utf8').includes(`_doActivateExtension ${id},`);
            } catch {
              return false;
            }
          });
          if (!activated) await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(activated, `the extension host never activated ${id} after opening ${rel}`);
        const errors = ctx.cs
          .logFiles()
          .filter((f) => /exthost/.test(f))
          .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
          .filter((l) => l.includes(id) && /\[error\]/.test(l));
        assert.equal(errors.length, 0, `the extension host logged errors:\n${errors.join('\n')}`);
        const t = await wb.activationTime([displayName, pkg.name]);
        assert.ok(t, 'Developer: Show Running Extensions shows no activation time for the extension');
        ctx.activationMs = t.ms;
        ctx.notes.push(`activation (VS Code's Running Extensions): ${t.text}`);
        await wb.runCommand('View: Close Editor');
        await wb.openFile(rel);
      },
    },
    {
      name: 'CodeLens on a model config equals the CLI estimate',
      async fn() {
        const rel = needModelConfig();
        await wb.openFile(rel);
        const { lens } = await checkCodeLens(rel, gpuFlags, `default scenario${gpu ? `, --gpu ${gpu}` : ''}`);
        ctx.notes.push(`CodeLens on ${rel}: "${lens}"`);
        await shot('codelens');
      },
    },
    {
      name: 'hover on num_key_value_heads explains its KV-cache contribution',
      async fn() {
        const rel = needModelConfig();
        await wb.openFile(rel);
        const hover = await wb.hoverKey('num_key_value_heads');
        assert.ok(hover, `no hover on "num_key_value_heads" in ${rel}`);
        await shot('hover');
        assert.match(hover, /KV cache/i, `hover does not mention the KV cache: "${hover}"`);
        const cli = cliEstimate(abs(rel), gpuFlags);
        const m = /([\d.,]+\s*(?:B|KiB|MiB|GiB))\s*\/\s*token/.exec(hover);
        assert.ok(m, `hover shows no per-token KV-cache size ("… KiB/token"): "${hover}"`);
        assert.ok(
          roundsTo(m[1], cli.memory.kv_bytes_per_token),
          `hover's KV cache per token "${m[1]}" differs from the CLI's kv_bytes_per_token ${cli.memory.kv_bytes_per_token} B`,
        );
        const total = /Total:?\**\s*≈?\s*([\d.,]+\s*(?:KiB|MiB|GiB|TiB|GB|TB))/.exec(hover);
        assert.ok(total, `hover shows no total ("Total: ≈ … GiB"): "${hover}"`);
        assert.ok(
          roundsTo(total[1], cli.memory.peak_bytes) || roundsTo(total[1], cli.memory.device_bytes),
          `hover's total "${total[1]}" differs from the CLI: peak ${fmt(cli.memory.peak_bytes)}, device ${fmt(cli.memory.device_bytes)}`,
        );
        ctx.notes.push(`hover on num_key_value_heads: ${hover.replace(/\s+/g, ' ').slice(0, 200)}`);
        await wb.page.keyboard.press('Escape');
        await wb.page.mouse.move(5, 5);
      },
    },
    {
      name: 'a hostile torch_dtype renders as plain text in the hover and triggers no request (issue 12)',
      async fn() {
        // A copy of a model config whose torch_dtype is an image and a command link, written into the workspace.
        const src = needModelConfig();
        const HOSTILE = '![x](https://example.com/x.png) [run](command:workbench.action.terminal.new)';
        const rel = path.join('hostile-dtype', 'config.json');
        mkdirSync(path.dirname(abs(rel)), { recursive: true });
        const cfg = JSON.parse(readFileSync(abs(src), 'utf8'));
        writeFileSync(abs(rel), JSON.stringify({ ...cfg, torch_dtype: HOSTILE }, null, 2));
        const requests = [];
        const onRequest = (r) => {
          if (/example\.com/.test(r.url())) requests.push(r.url());
        };
        wb.page.on('request', onRequest);
        try {
          await wb.openFile(rel);
          const hover = await wb.hoverKey('torch_dtype');
          await shot('hover-hostile-dtype');
          assert.ok(hover, `no hover on torch_dtype in ${rel}`);
          // Plain text: the Markdown source shows as written, no image, no link.
          assert.ok(hover.includes('![x](https://example.com/x.png)'), `the hover does not show the image syntax as text: "${hover}"`);
          assert.ok(hover.includes('[run](command:workbench.action.terminal.new)'), `the hover does not show the link syntax as text: "${hover}"`);
          const content = wb.page.locator('.monaco-hover .monaco-hover-content').filter({ visible: true });
          const active = await content.evaluateAll((els) =>
            els.flatMap((el) => [...el.querySelectorAll('img, a')].map((a) => `${a.tagName} ${a.getAttribute('src') ?? ''}${a.getAttribute('href') ?? ''}${a.getAttribute('data-href') ?? ''}`)),
          );
          const foreign = active.filter((a) => /example\.com|workbench\.action\.terminal/.test(a));
          assert.deepEqual(foreign, [], `the hover holds an image or link from the file: ${foreign.join(', ')}`);
          await wb.page.waitForTimeout(500);
          assert.deepEqual(requests, [], `the hover made a request: ${requests.join(', ')}`);
          ctx.notes.push(`hostile torch_dtype hover (plain text, 0 requests): ${hover.replace(/\s+/g, ' ').slice(0, 160)}`);
        } finally {
          wb.page.off('request', onRequest);
          await wb.page.keyboard.press('Escape');
          await wb.page.mouse.move(5, 5);
          await wb.runCommand('View: Close Editor').catch(() => {});
        }
      },
    },
    {
      name: `"${COMMAND_BREAKDOWN}" opens the webview; its peak equals the CLI's`,
      async fn() {
        const rel = needModelConfig();
        await wb.openFile(rel);
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        const peak = await peakBytes(frame, { timeout: 30_000 });
        const scenario = await webviewScenario(frame);
        st.webviewScenario = scenario;
        const flags = flagsFor(scenario);
        const cli = cliEstimate(abs(rel), flags.includes('--gpu') ? flags : [...flags, ...gpuFlags]);
        await shot('webview');
        assert.equal(
          peak,
          cli.memory.peak_bytes,
          `webview peak ${fmt(peak)} ≠ CLI peak ${fmt(cli.memory.peak_bytes)} for scenario ${JSON.stringify(scenario)} (flags: ${flags.join(' ')})`,
        );
        const rows = await frame.locator('[data-term-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-term-id')));
        const gpuTerms = cli.memory.terms.filter((t) => t.where === 'gpu' && t.bytes > 0).map((t) => t.id);
        const missing = gpuTerms.filter((id) => !rows.includes(id));
        assert.equal(missing.length, 0, `webview rows [data-term-id] miss the CLI's terms ${missing.join(', ')} (rows: ${rows.join(', ')})`);
        const theme = await frame.locator('body').getAttribute('class');
        assert.match(theme ?? '', st.theme === 'dark' ? /vscode-dark/ : /vscode-light/, `webview body is not themed ${st.theme}: class="${theme}"`);
        ctx.notes.push(`webview peak on ${rel}: ${fmt(peak)} = CLI (${flags.join(' ') || 'defaults'})`);
      },
    },
    {
      name: 'what-if: changing the batch re-estimates in the webview (= CLI)',
      async fn() {
        const rel = needModelConfig();
        const frame = wb.webview();
        const before = await peakBytes(frame);
        const scenario = st.webviewScenario ?? (await webviewScenario(frame));
        const batch = Number(scenario.batch) > 0 && Number(scenario.batch) !== 8 ? 8 : 4;
        await setControl(wb, frame, 'batch', batch);
        const after = await waitForPeakChange(frame, before);
        assert.notEqual(after, before, `peak stayed ${fmt(before)} after setting batch to ${batch}`);
        const now = await webviewScenario(frame);
        assert.equal(Number(now.batch), batch, `batch control shows ${now.batch}, expected ${batch}`);
        const flags = flagsFor(now);
        const cli = cliEstimate(abs(rel), flags.includes('--gpu') ? flags : [...flags, ...gpuFlags]);
        assert.equal(after, cli.memory.peak_bytes, `webview peak at batch ${batch} ${fmt(after)} ≠ CLI ${fmt(cli.memory.peak_bytes)} (flags ${flags.join(' ')})`);
        await shot('webview-batch');
        ctx.notes.push(`what-if batch ${before === after ? '' : `${scenario.batch}→${batch}`}: ${fmt(before)} → ${fmt(after)}`);
      },
    },
    {
      name: 'Roofline tab: operators under the roofs, expected time = CLI; the CodeLens shows the same time',
      async fn() {
        const rel = needModelConfig();
        const frame = wb.webview();
        await frame.locator('[data-testid="tab-roofline"]').click();
        const scenario = await webviewScenario(frame);
        const flags = flagsFor(scenario);
        const args = flags.includes('--gpu') ? flags : [...flags, ...gpuFlags];
        const cli = cliEstimate(abs(rel), args);
        if (cli.time.reason) {
          const why = await frame.locator('[data-testid="roofline-reason"]').textContent({ timeout: 15_000 });
          assert.ok(why.includes(cli.time.reason), `Roofline tab says "${why}", the CLI "${cli.time.reason}"`);
          return;
        }
        await frame.locator('[data-testid="roofline-chart"]').waitFor({ timeout: 15_000 });
        const points = frame.locator('[data-testid="roofline-op"]');
        assert.equal(await points.count(), cli.roofline.ops.filter((o) => o.flops > 0).length, 'one point per operator with FLOPs');
        assert.equal(await points.first().getAttribute('tabindex'), '0', 'points are reachable with Tab');
        const expected = await frame.locator('[data-testid="time-expected"]').textContent();
        const summary = cliTimeSummary(abs(rel), args);
        assert.ok(summary && expected.includes(summary), `Roofline tab "${expected}" lacks the CLI's "${summary}"`);
        await shot('webview-roofline');
        const shown = await points.count();
        // The panel remembers its tab: leave it on Breakdown for the tests after this one.
        await frame.locator('[data-testid="tab-breakdown"]').click();
        await wb.openFile(rel);
        const lensSummary = cliTimeSummary(abs(rel), gpuFlags);
        const lenses = await wb.codeLenses({ match: /peak/i });
        assert.ok(lensSummary && lenses.some((l) => l.includes(lensSummary)), `no CodeLens shows the CLI's time "${lensSummary}" (${JSON.stringify(lenses)})`);
        ctx.notes.push(`Roofline tab: ${shown} operators; ${summary}; CodeLens time ${lensSummary}`);
      },
    },
    {
      name: 'CodeLens on every example file (model configs, training YAML, vllm script) equals the CLI',
      async fn() {
        const all = [...ex.modelConfigs, ...(ex.axolotl ? [ex.axolotl] : []), ...ex.llamafactory, ...ex.vllm];
        assert.ok(all.length >= 2, `too few recognizable example files: ${all.join(', ')}`);
        const problems = [];
        for (const rel of all) {
          await wb.openFile(rel);
          try {
            const { lens } = await checkCodeLens(rel, gpu ? { gpu } : {}, 'the file\'s own scenario');
            ctx.notes.push(`CodeLens ${rel}: "${lens}"`);
          } catch (e) {
            problems.push(`${rel}: ${e.message}`);
          }
        }
        assert.equal(problems.length, 0, problems.join('\n'));
      },
    },
    {
      name: 'webview for the axolotl LoRA YAML (training, linked model) equals the CLI',
      async fn() {
        const rel = needAxolotl();
        await wb.openFile(rel);
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        // The panel may be reused: wait until it shows the training scenario.
        const deadline = Date.now() + 20_000;
        let scenario = {};
        while (Date.now() < deadline) {
          await peakBytes(frame, { timeout: 20_000 });
          scenario = await webviewScenario(frame);
          if (scenario.mode === 'training') break;
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(scenario.mode, 'training', `the webview for ${rel} does not show a training scenario: ${JSON.stringify(scenario)}`);
        const peak = await peakBytes(frame);
        const w = estimateFile(abs(rel), workspace, {});
        const fileScenario = w._scenario;
        for (const k of ['batch', 'seq', 'loraRank']) {
          if (fileScenario[k] !== undefined && fileScenario[k] !== null && scenario[k] !== undefined) {
            assert.equal(Number(scenario[k]), Number(fileScenario[k]), `webview ${k}=${scenario[k]} but ${rel} sets ${fileScenario[k]}`);
          }
        }
        const flags = flagsFor(scenario);
        const cli = cliEstimate(w._workload.modelConfig, flags.includes('--gpu') ? flags : [...flags, ...gpuFlags]);
        await shot('webview-training');
        assert.equal(peak, cli.memory.peak_bytes, `webview peak ${fmt(peak)} ≠ CLI ${fmt(cli.memory.peak_bytes)} for ${rel} (flags ${flags.join(' ')})`);
        ctx.notes.push(`webview peak on ${rel}: ${fmt(peak)} = CLI (${path.relative(workspace, w._workload.modelConfig)} ${flags.join(' ')})`);
      },
    },
    {
      name: 'webview for a vllm serve script shows the KV pool and the maximum concurrency of the CLI',
      async fn() {
        const rel = ex.vllm[0];
        if (!rel) throw new Error('examples/ has no vllm serve script');
        await wb.openFile(rel);
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        const conc = frame.locator('[data-testid="max-concurrency"]');
        await conc.first().waitFor({ timeout: 30_000 });
        const scenario = await webviewScenario(frame);
        assert.equal(scenario.runtime, 'vllm', `the webview for ${rel} does not run the vllm runtime: ${JSON.stringify(scenario)}`);
        const w = estimateFile(abs(rel), workspace, {});
        const flags = flagsFor(scenario);
        const cli = cliEstimate(w._workload.modelConfig, flags.includes('--gpu') ? flags : [...flags, ...gpuFlags]);
        const shown = Number(await conc.first().getAttribute('data-value'));
        const pool = Number(await frame.locator('[data-testid="kv-pool"]').first().getAttribute('data-value'));
        await shot('webview-vllm');
        assert.equal(shown, cli.memory.serving.max_concurrency, `webview max concurrency ${shown} ≠ CLI ${cli.memory.serving.max_concurrency} (${flags.join(' ')})`);
        assert.equal(pool, cli.memory.serving.kv_pool_bytes, `webview KV pool ${fmt(pool)} ≠ CLI ${fmt(cli.memory.serving.kv_pool_bytes)}`);
        ctx.notes.push(`vllm webview on ${rel}: KV pool ${fmt(pool)}, ${shown} requests at once = CLI`);
      },
    },
    {
      name: 'a DeepSpeed JSON: CodeLens and the hover on stage equal the CLI; the panel shows each kind of rank and the host RAM',
      async fn() {
        const rel = 'ds_zero3_offload.json';
        const yaml = 'axolotl-zero3.yaml';
        // The JSON takes its model and "auto" values from the YAML next to it that names it: the CLI on the YAML is the oracle.
        const cli = cliEstimate(abs(yaml), gpuFlags);
        const cliZero0 = cliEstimate(abs(yaml), [...gpuFlags, '--zero', '0', '--offload-optimizer', 'none', '--offload-params', 'none']);
        const states = (e) => e.memory.terms.filter((t) => t.where === 'gpu' && ['weights', 'gradients', 'optimizer_states', 'master_weights', 'lora_adapters'].includes(t.id)).reduce((a, t) => a + t.bytes, 0);
        await wb.openFile(rel);
        const lenses = await wb.codeLenses({ match: /per GPU ×/ });
        const lens = lenses.find((t) => /per GPU ×/.test(t));
        await shot('deepspeed-codelens');
        assert.ok(lens, `no multi-GPU CodeLens on ${rel}: ${JSON.stringify(lenses)}`);
        assert.ok(roundsTo(lens, cli.memory.peak_bytes), `CodeLens "${lens}" ≠ CLI peak ${fmt(cli.memory.peak_bytes)}`);
        const host = /host ([\d.,]+ \w+)/.exec(lens);
        assert.ok(host && roundsTo(host[1], cli.memory.host_bytes), `CodeLens "${lens}" host ≠ CLI ${fmt(cli.memory.host_bytes)}`);
        const hover = await wb.hoverKey('stage');
        const m = /model states ([\d.,]+ \w+) → ([\d.,]+ \w+) per GPU/.exec(hover);
        assert.ok(m, `the hover on stage says no model states: "${hover}"`);
        assert.ok(roundsTo(m[1], states(cliZero0)) && roundsTo(m[2], states(cli)), `hover "${m[0]}" ≠ CLI ${fmt(states(cliZero0))} → ${fmt(states(cli))}`);
        await wb.page.keyboard.press('Escape');
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        const ranks = frame.locator('[data-testid="rank-gpu"]');
        await ranks.first().waitFor({ timeout: 30_000 });
        assert.equal(await ranks.count(), cli.memory.ranks.length);
        const rankBytes = Number(await ranks.first().getAttribute('data-bytes'));
        const hostBytes = Number(await frame.locator('[data-testid="rank-cpu"]').first().getAttribute('data-bytes'));
        await shot('deepspeed-ranks');
        assert.equal(rankBytes, cli.memory.ranks[0].device_bytes, `panel rank ${fmt(rankBytes)} ≠ CLI ${fmt(cli.memory.ranks[0].device_bytes)}`);
        assert.equal(hostBytes, cli.memory.host_bytes, `panel host ${fmt(hostBytes)} ≠ CLI ${fmt(cli.memory.host_bytes)}`);
        ctx.notes.push(`DeepSpeed JSON: CodeLens "${lens}", hover "${m[0]}", panel rank ${fmt(rankBytes)} and host ${fmt(hostBytes)} = CLI`);
      },
    },
    {
      name: 'a launch script: the CodeLens on its torchrun line equals the CLI on the script',
      async fn() {
        const rel = 'launch-zero3.sh';
        const cli = cliEstimate(abs(rel), gpuFlags);
        await wb.openFile(rel);
        const want = new RegExp(`per GPU × ${cli.scenario.gpus}\\b`);
        const lenses = await wb.codeLenses({ match: want });
        const lens = lenses.find((t) => want.test(t));
        await shot('launch-codelens');
        assert.ok(lens, `no multi-GPU CodeLens on ${rel}: ${JSON.stringify(lenses)}`);
        assert.ok(roundsTo(lens, cli.memory.peak_bytes), `CodeLens "${lens}" ≠ CLI peak ${fmt(cli.memory.peak_bytes)}`);
        const host = /host ([\d.,]+ \w+)/.exec(lens);
        assert.ok(host && roundsTo(host[1], cli.memory.host_bytes), `CodeLens "${lens}" host ≠ CLI ${fmt(cli.memory.host_bytes)}`);
        ctx.notes.push(`launch script: CodeLens "${lens}" = CLI on ${rel}`);
      },
    },
    {
      name: 'an oversized micro_batch_size in an axolotl YAML raises a diagnostic on that key',
      async fn() {
        const rel = needAxolotl();
        const file = abs(rel);
        const original = readFileSync(file, 'utf8');
        const lineIdx = original.split('\n').findIndex((l) => /^\s*micro_batch_size\s*:/.test(l));
        assert.ok(lineIdx >= 0);
        // The CLI must agree that the oversized setup does not fit (else the test would prove nothing).
        const cli = estimateFile(file, workspace, { batch: 512, ...(gpu ? { gpu } : {}) });
        assert.equal(cli.memory.fits, false, `CLI says micro_batch_size 512 fits (${fmt(cli.memory.device_bytes)} on ${cli.memory.gpu?.name}); pick a bigger batch`);
        // Edit the workspace copy in the editor (examples/ itself is never touched).
        await wb.openFile(rel);
        await wb.gotoLine(lineIdx + 1);
        await wb.page.keyboard.press('End');
        await wb.page.keyboard.press('Control+Shift+ArrowLeft');
        await wb.page.keyboard.type('512');
        const squiggle = wb.activeEditor().locator('.squiggly-warning, .squiggly-error');
        try {
          await squiggle.first().waitFor({ timeout: 20_000 });
        } catch {
          await shot('diagnostic');
          throw new Error(`no warning squiggle in ${rel} after setting micro_batch_size: 512 (CLI: ${fmt(cli.memory.device_bytes)} does not fit ${cli.memory.gpu?.name})`);
        }
        const problems = await wb.problems({ match: /fit|GiB|micro_batch_size/i });
        const row = problems.find((t) => /fit|GiB|memory/i.test(t));
        assert.ok(row, `the Problems panel shows no memory diagnostic (rows: ${JSON.stringify(problems)})`);
        const lineMatch = problems.some((t) => new RegExp(`\\[(Ln )?${lineIdx + 1}[,:]`).test(t));
        assert.ok(lineMatch, `no diagnostic on line ${lineIdx + 1} (micro_batch_size); rows: ${JSON.stringify(problems)}`);
        await wb.openFile(rel);
        await wb.page.keyboard.press('Control+Home');
        const lenses = await wb.codeLenses({ match: /not fit/i, timeout: 10_000 });
        assert.ok(lenses.some((t) => /not fit/i.test(t)), `the CodeLens does not say "does not fit" after the edit: ${JSON.stringify(lenses)}`);
        ctx.notes.push(`diagnostic: ${row}; CodeLens: ${lenses.join(' | ')}`);
        // The warning's hover on the key (VS Code shows the diagnostic with its quick fixes there).
        await wb.gotoLine(lineIdx + 1);
        const hover = await wb.hoverKey('micro_batch_size');
        await shot('diagnostic');
        assert.match(hover, /not fit/i, `the hover on micro_batch_size does not show the warning: "${hover}"`);
        await wb.page.keyboard.press('Escape');
        await wb.page.mouse.move(5, 5);
        await wb.hidePanel();
        st.dirtyAxolotl = rel;
      },
    },
    {
      name: 'light theme: CodeLens, hover, webview and diagnostic screenshots',
      async fn() {
        await wb.setTheme('light');
        st.theme = 'light';
        await wb.hidePanel();
        const rel = needModelConfig();
        await wb.openFile(rel);
        await wb.codeLenses({ match: /peak/i });
        await shot('codelens');
        await checkCodeLens(rel, gpuFlags, 'default scenario, light theme');
        const hover = await wb.hoverKey('num_key_value_heads');
        assert.ok(hover, 'no hover in the light theme');
        await shot('hover');
        await wb.page.keyboard.press('Escape');
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        await peakBytes(frame, { timeout: 30_000 });
        const theme = await frame.locator('body').getAttribute('class');
        assert.match(theme ?? '', /vscode-light/, `webview body is not themed light: class="${theme}"`);
        await shot('webview');
        if (st.dirtyAxolotl) {
          // The edited (unsaved) axolotl YAML still holds micro_batch_size: 512.
          await wb.openFile(st.dirtyAxolotl);
          await wb.activeEditor().locator('.squiggly-warning, .squiggly-error').first().waitFor({ timeout: 15_000 });
          await wb.problems({ match: /fit/i });
          await wb.openFile(st.dirtyAxolotl);
          const line = readFileSync(abs(st.dirtyAxolotl), 'utf8').split('\n').findIndex((l) => /^\s*micro_batch_size\s*:/.test(l));
          await wb.gotoLine(line + 1);
          await wb.hoverKey('micro_batch_size');
          await shot('diagnostic');
        }
      },
    },
    {
      name: 'high contrast theme: the webview follows it',
      async fn() {
        await wb.setTheme('high-contrast');
        st.theme = 'high-contrast';
        await wb.hidePanel();
        const rel = needModelConfig();
        await wb.openFile(rel);
        await wb.runCommand(COMMAND_BREAKDOWN);
        const frame = wb.webview();
        await peakBytes(frame, { timeout: 30_000 });
        await wb.page.waitForTimeout(300);
        await shot('webview');
        const theme = await frame.locator('body').getAttribute('class');
        assert.match(theme ?? '', /vscode-high-contrast/, `webview body is not themed high contrast: class="${theme}"`);
        await wb.setTheme('dark');
        st.theme = 'dark';
      },
    },
    {
      name: 'LLM Footprint: Select Target GPU changes the CodeLens (= CLI for that GPU)',
      async fn() {
        // The full fine-tuning example does not fit an H100 but fits a B200 (per the CLI).
        const rel = ex.llamafactory[0] ?? needAxolotl();
        const target = { id: 'b200-180gb', label: 'NVIDIA B200 180GB' };
        const cli = estimateFile(abs(rel), workspace, { gpu: target.id });
        assert.equal(cli.memory.fits, true, `the CLI says ${rel} does not fit ${target.label}; the test needs a GPU it fits`);
        await wb.openFile(rel);
        await wb.runCommand('LLM Footprint: Select Target GPU');
        await wb.pick(target.label);
        const lenses = await wb.codeLenses({ match: /B200/, timeout: 15_000 });
        const lens = lenses.find((t) => /peak/.test(t)) ?? '';
        assert.match(lens, /B200/, `after selecting ${target.label} the CodeLens of ${rel} still reads ${JSON.stringify(lenses)}`);
        await checkCodeLens(rel, { gpu: target.id }, `--gpu ${target.id}`);
        await shot('select-gpu');
        ctx.notes.push(`Select Target GPU → ${target.label}: CodeLens ${rel}: "${lens}"`);
        // Back to the default for the tests after this one.
        await selectDefaultGpu();
      },
    },
    {
      name: 'a user-defined GPU (llmFootprint.customGpus, sizes parsed by mathjs) is offered and decides the fit',
      async fn() {
        // The user settings of this code-server hold E2E_CUSTOM_GPUS (run.mjs): one GPU the model config fits, one
        // it does not.
        const rel = needModelConfig();
        const cli = estimateFile(abs(rel), workspace, {});
        const [roomy, tight] = E2E_CUSTOM_GPUS;
        assert.ok(cli.memory.device_bytes < 40 * 2 ** 30 && cli.memory.device_bytes > 8 * 2 ** 30, `${rel} needs ${fmt(cli.memory.device_bytes)}: the test needs a model between 8 and 40 GiB`);
        await wb.openFile(rel);
        try {
          for (const [g, fits] of [[roomy, true], [tight, false]]) {
            await wb.runCommand('LLM Footprint: Select Target GPU');
            // Wait for the GPU picker itself (the palette closes first), then filter it: its list is virtualized, so
            // a row below the fold does not exist until it is scrolled to or filtered.
            await wb.page.locator('.quick-input-widget .quick-input-box input[placeholder*="Target GPU"]').waitFor({ timeout: 10_000 });
            await wb.quickInput.fill(g.name);
            await wb.pick(g.name, { timeout: 10_000 });
            const lenses = await wb.codeLenses({ match: new RegExp(g.name), timeout: 20_000 });
            const lens = lenses.find((t) => /peak/.test(t)) ?? '';
            assert.match(lens, fits ? new RegExp(`· fits ${g.name}`) : new RegExp(`does not fit ${g.name}`), `CodeLens of ${rel} on ${g.name} (${g.memory}; ${fmt(cli.memory.device_bytes)} needed): ${JSON.stringify(lenses)}`);
            ctx.notes.push(`custom GPU ${g.name} (${g.memory}): CodeLens ${rel}: "${lens}"`);
          }
        } finally {
          await selectDefaultGpu();
        }
      },
    },
    {
      name: 'the webview keeps its what-if state across a window reload',
      async fn() {
        const rel = needModelConfig();
        await wb.openFile(rel);
        await wb.runCommand(COMMAND_BREAKDOWN);
        let frame = wb.webview();
        const before = await peakBytes(frame, { timeout: 30_000 });
        await setControl(wb, frame, 'batch', 3);
        const atThree = await waitForPeakChange(frame, before);
        const scenario = await webviewScenario(frame);
        assert.equal(Number(scenario.batch), 3, `batch control shows ${scenario.batch} after setting 3`);
        await wb.page.waitForTimeout(2000); // let the webview save its state
        const tabsBefore = await wb.page.locator('.editor-group-container').evaluateAll((gs) =>
          gs.map((g) => [...g.querySelectorAll('.tab')].map((t) => `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label')}`)),
        );
        wb.page.once('dialog', (d) => d.accept().catch(() => {}));
        // Through the workbench (its shutdown saves the layout and the webviews' state), as a user would.
        const navigated = wb.page.waitForEvent('framenavigated', { predicate: (f) => f === wb.page.mainFrame(), timeout: 30_000 });
        await wb.runCommand('Developer: Reload Window');
        await navigated;
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        // VS Code restores the panel's tab; which tab of its group is active depends on when the workbench last saved
        // its layout, so show it as a user would.
        const tab = wb.page.locator('.tabs-container .tab[aria-label^="LLM Footprint"]').first();
        await tab.waitFor({ timeout: 30_000 }).catch(() => {});
        if ((await tab.count()) > 0 && !(await tab.evaluate((t) => t.classList.contains('active')))) await tab.click();
        frame = wb.webview();
        let after;
        try {
          after = await peakBytes(frame, { timeout: 40_000 });
        } catch {
          await shot('reload');
          const tabs = await wb.page.locator('.editor-group-container').evaluateAll((gs) =>
            gs.map((g) => [...g.querySelectorAll('.tab')].map((t) => `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label')}`)),
          );
          throw new Error(
            `after a reload the breakdown webview was not restored (no [data-testid="peak-bytes"]); tabs before: ${JSON.stringify(tabsBefore)}, after: ${JSON.stringify(tabs)}`,
          );
        }
        const restored = await webviewScenario(frame);
        await shot('reload');
        assert.equal(Number(restored.batch), 3, `after a reload the webview shows batch ${restored.batch}, expected the what-if batch 3`);
        assert.equal(after, atThree, `after a reload the webview peak is ${fmt(after)}, before it was ${fmt(atThree)}`);
        const flags = flagsFor(restored);
        const cli = cliEstimate(abs(rel), flags.includes('--gpu') ? flags : [...flags, ...gpuFlags]);
        assert.equal(after, cli.memory.peak_bytes, `restored webview peak ${fmt(after)} ≠ CLI ${fmt(cli.memory.peak_bytes)} (${flags.join(' ')})`);
      },
    },
    ...methodTests(),
    ...modelTests(),
  ];

  /** Issue 11: a Nemotron NAS config (CodeLens = CLI) and a multimodal model trained on images (webview = CLI). */
  function modelTests() {
    const FIX = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'configs');
    const place = (fixture, rel) => {
      mkdirSync(path.dirname(abs(rel)), { recursive: true });
      writeFileSync(abs(rel), readFileSync(path.join(FIX, fixture)));
      return rel;
    };
    return [
      {
        name: 'CodeLens on a Nemotron NAS config (per-layer block_configs) equals the CLI',
        async fn() {
          const rel = place('llama-3.3-nemotron-super-49b-v1.json', 'e2e-models/nemotron-super-49b/config.json');
          await wb.openFile(rel);
          const { lens, cli } = await checkCodeLens(rel, gpu ? { gpu } : {}, 'a NAS config');
          assert.equal(cli.params.total, 49867145216, `the CLI counts ${cli.params.total} parameters for Nemotron Super 49B`);
          ctx.notes.push(`CodeLens ${rel}: "${lens}"`);
        },
      },
      {
        name: 'a 200 KiB axolotl YAML (parsed on a worker thread) gets the CodeLens of the CLI',
        async fn() {
          const rel = needAxolotl();
          const big = 'e2e-models/axolotl-large.yaml';
          // The example's own keys, then a long dataset list: far over the 16 KiB the host parses itself.
          const item = '  - path: org/some-dataset-name\n    type: alpaca\n';
          const text = readFileSync(abs(rel), 'utf8').replace(/^datasets:.*(\n[ -].*)*/m, '') + '\ndatasets:\n' + item.repeat(Math.ceil((200 * 1024) / item.length));
          mkdirSync(path.dirname(abs(big)), { recursive: true });
          writeFileSync(abs(big), text.replace(/^base_model:\s*(\S+)/m, (m, p) => (p.startsWith('.') ? `base_model: ../${p}` : m)));
          await wb.openFile(big);
          const { lens } = await checkCodeLens(big, gpu ? { gpu } : {}, 'a YAML over the host-parsed size');
          ctx.notes.push(`CodeLens ${big} (${Math.round(text.length / 1024)} KiB): "${lens}"`);
        },
      },
      {
        name: 'webview: a multimodal model trained on an image, vision tower trained then frozen, equals the CLI',
        async fn() {
          const rel = place('qwen2.5-vl-3b-instruct.json', 'e2e-models/qwen2.5-vl-3b/config.json');
          await wb.openFile(rel);
          await wb.runCommand(COMMAND_BREAKDOWN);
          const frame = wb.webview();
          let before = await peakBytes(frame, { timeout: 30_000 });
          // The panel may still show another tab (the Methods view): the what-if controls are on the breakdown.
          await frame.locator('[data-testid="tab-breakdown"]').click();
          // The mode control is a vscode-single-select: set its value and send the change it listens to.
          await frame.locator('[data-field="mode"]').first().evaluate((el) => {
            el.value = 'training';
            el.dispatchEvent(new Event('change', { bubbles: true }));
          });
          before = await waitForPeakChange(frame, before);
          await setControl(wb, frame, 'images', 1);
          const trained = await waitForPeakChange(frame, before);
          const s1 = await webviewScenario(frame);
          assert.equal(s1.mode, 'training', `the webview is not in training mode: ${JSON.stringify(s1)}`);
          const f1 = flagsFor(s1);
          const c1 = cliEstimate(abs(rel), f1.includes('--gpu') ? f1 : [...f1, ...gpuFlags]);
          assert.equal(trained, c1.memory.peak_bytes, `webview peak ${fmt(trained)} ≠ CLI ${fmt(c1.memory.peak_bytes)} (${f1.join(' ')})`);
          assert.ok(c1.memory.terms.some((t) => /vision tower/.test(t.label)), `the CLI counts no vision-tower activations (${f1.join(' ')})`);
          await frame.locator('[data-field="freezeVision"]').first().click();
          const frozen = await waitForPeakChange(frame, trained);
          const s2 = await webviewScenario(frame);
          assert.equal(s2.freezeVision, true, 'the freezeVision control did not switch on');
          const f2 = flagsFor(s2);
          const c2 = cliEstimate(abs(rel), f2.includes('--gpu') ? f2 : [...f2, ...gpuFlags]);
          assert.equal(frozen, c2.memory.peak_bytes, `frozen tower: webview ${fmt(frozen)} ≠ CLI ${fmt(c2.memory.peak_bytes)} (${f2.join(' ')})`);
          assert.ok(frozen < trained, `freezing the tower did not lower the peak (${fmt(trained)} → ${fmt(frozen)})`);
          await shot('webview-vision');
          ctx.notes.push(`vision tower on ${rel}: trained ${fmt(trained)}, frozen ${fmt(frozen)} = CLI`);
        },
      },
    ];
  }

  /** Issue 8: a QLoRA YAML (CodeLens = CLI), a hover on load_in_4bit, a quick fix that switches to QLoRA, the Methods view. */
  function methodTests() {
    const qloraYaml = ex.files.find((f) => /qlora/i.test(f) && /\.ya?ml$/.test(f));
    const needQlora = () => {
      assert.ok(qloraYaml, `examples/ holds no QLoRA YAML (files: ${ex.files.join(', ')})`);
      return qloraYaml;
    };
    return [
      {
        name: 'CodeLens on the QLoRA axolotl YAML (NF4 base, paged 8-bit AdamW) equals the CLI',
        async fn() {
          const rel = needQlora();
          await wb.openFile(rel);
          const { lens, cli } = await checkCodeLens(rel, gpu ? { gpu } : {}, 'the QLoRA file\'s own scenario');
          assert.equal(cli._scenario.qlora, true, `the parsers do not read ${rel} as QLoRA: ${JSON.stringify(cli._scenario)}`);
          ctx.notes.push(`CodeLens ${rel}: "${lens}"`);
        },
      },
      {
        name: 'hover on load_in_4bit: base weights before → after, the after = the CLI\'s weights',
        async fn() {
          const rel = needQlora();
          await wb.openFile(rel);
          const line = readFileSync(abs(rel), 'utf8').split('\n').findIndex((l) => /^load_in_4bit:/.test(l));
          await wb.gotoLine(line + 1);
          const hover = await wb.hoverKey('load_in_4bit');
          await shot('hover-load-in-4bit');
          const m = /base weights ([\d.,]+\s*(?:MiB|GiB)) → ([\d.,]+\s*(?:MiB|GiB))/.exec(hover);
          assert.ok(m, `the hover on load_in_4bit does not say "base weights X → Y": "${hover}"`);
          const cli = estimateFile(abs(rel), workspace, gpu ? { gpu } : {});
          const w = cli.memory.terms.find((t) => t.id === 'weights');
          assert.ok(roundsTo(m[2], w.bytes), `hover's NF4 weights ${m[2]} ≠ CLI ${fmt(w.bytes)}`);
          const b16 = estimateFile(abs(rel), workspace, { ...(gpu ? { gpu } : {}), qlora: false });
          assert.ok(roundsTo(m[1], b16.memory.terms.find((t) => t.id === 'weights').bytes), `hover's 16-bit weights ${m[1]} ≠ CLI`);
          ctx.notes.push(`hover on load_in_4bit: ${hover.replace(/\s+/g, ' ').slice(0, 200)}`);
          await wb.page.keyboard.press('Escape');
          await wb.page.mouse.move(5, 5);
        },
      },
      {
        name: 'a quick fix switches a full fine-tuning that does not fit to QLoRA (the CodeLens then = the CLI)',
        async fn() {
          const rel = ex.llamafactory.find((f) => /sft/.test(f)) ?? ex.llamafactory[0];
          assert.ok(rel, 'examples/ holds no LLaMA-Factory YAML');
          const before = estimateFile(abs(rel), workspace, gpu ? { gpu } : {});
          assert.equal(before.memory.fits, false, `${rel} fits already; the quick fix would not be offered`);
          await wb.openFile(rel);
          const text = readFileSync(abs(rel), 'utf8');
          const line = text.split('\n').findIndex((l) => /^finetuning_type:/.test(l));
          await wb.gotoLine(line + 1);
          await wb.activeEditor().locator('.squiggly-warning, .squiggly-error').first().waitFor({ timeout: 20_000 });
          await wb.page.keyboard.press('Control+.');
          const item = wb.page.locator('.action-widget .monaco-list-row', { hasText: /QLoRA/ }).first();
          await item.waitFor({ timeout: 10_000 });
          await shot('quickfix-qlora');
          // Walk the list with the keyboard to the QLoRA fix and apply it (a click can be taken by the hover above it).
          for (let i = 0; i < 12; i++) {
            const focused = await wb.page.locator('.action-widget .monaco-list-row.focused').first().getAttribute('aria-label');
            if (focused && /QLoRA/.test(focused)) break;
            await wb.page.keyboard.press('ArrowDown');
          }
          await wb.page.keyboard.press('Enter');
          const lenses = await wb.codeLenses({ match: /fits/i, timeout: 20_000 });
          const after = estimateFile(abs(rel), workspace, { ...(gpu ? { gpu } : {}), precision: 'bf16', qlora: true, loraRank: 16, prepareKbit: false, doubleQuant: true, loraTargets: 'all-linear' });
          const lens = lenses.find((t) => /peak/.test(t));
          assert.ok(lens && (roundsTo(lens, after.memory.peak_bytes) || roundsTo(lens, after.memory.device_bytes)), `after the QLoRA fix the CodeLens "${lens}" ≠ CLI ${fmt(after.memory.peak_bytes)}`);
          const body = await wb.activeEditor().locator('.view-lines').innerText();
          assert.match(body.replace(/\u00a0/g, ' '), /quantization_bit: 4/, 'the fix did not write quantization_bit: 4');
          ctx.notes.push(`QLoRA quick fix on ${rel}: ${lens}`);
          await wb.runCommand('File: Revert File').catch(() => {});
        },
      },
      {
        name: 'the Methods view equals `llm-footprint compare --json`',
        async fn() {
          const rel = needModelConfig();
          await wb.openFile(rel);
          await wb.runCommand('LLM Footprint: Compare Training Methods');
          const frame = wb.webview();
          await frame.locator('[data-testid="method-peak"]').first().waitFor({ timeout: 30_000 });
          const shown = await frame.locator('[data-testid="method-peak"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-method'), Number(e.getAttribute('data-bytes'))]));
          const scenario = await webviewScenario(frame);
          await shot('methods');
          const flags = flagsFor({ ...scenario, mode: 'training' }).filter((f, i, a) => f !== '--gpu' && a[i - 1] !== '--gpu');
          const out = execFileSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'dist', 'cli.js'), 'compare', abs(rel), '--json', ...flags], { encoding: 'utf8' });
          const cli = JSON.parse(out).methods.map((m) => [m.id, m.peak_bytes]);
          assert.equal(shown.length, 9, `the Methods view shows ${shown.length} methods`);
          assert.deepEqual(Object.fromEntries(shown), Object.fromEntries(cli), `Methods view ≠ CLI compare (${flags.join(' ')})`);
          ctx.notes.push(`Methods view on ${rel} = CLI compare: ${shown.map(([id, b]) => `${id} ${fmt(b)}`).join(', ')}`);
        },
      },
    ];
  }
}
