// Helpers that drive a code-server workbench with playwright-core and the system Chromium.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureChromium } from '../../scripts/lib/tools.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser() {
  const executablePath = ensureChromium();
  // A fresh profile per run (playwright's launch() makes a temporary one; the env var keeps Chromium's own caches out of $HOME).
  const userData = mkdtempSync(path.join(os.tmpdir(), 'llmfp-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, `--disk-cache-dir=${userData}/cache`],
    env: { ...process.env, XDG_CONFIG_HOME: userData, XDG_CACHE_HOME: userData },
    timeout: 60_000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(userData, { recursive: true, force: true });
    }
  };
  return browser;
}

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  get quickInput() {
    return this.page.locator('.quick-input-widget input');
  }

  async open(url) {
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer lists the workspace once the remote file system answered.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  async focusWorkbench() {
    // Click an inert spot (the status bar's empty middle) so that key presses reach the workbench.
    await this.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 400, y: 5 } }).catch(async () => {
      await this.page.locator('.monaco-workbench').click({ position: { x: 10, y: 10 } });
    });
  }

  async closeQuickInput() {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }

  async openQuickInput(text) {
    await this.closeQuickInput();
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ timeout: 10_000 });
    await this.quickInput.fill(text);
  }

  /** Rows of the quick-input list for a palette query (after typing it). */
  async quickPickRows(text) {
    await this.openQuickInput(text);
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 }).catch(() => {});
    await this.page.waitForTimeout(300);
    return rows.allInnerTexts();
  }

  /** Runs a palette command by its full title ("Category: Title"). */
  async runCommand(title, { timeout = 15_000 } = {}) {
    await this.openQuickInput(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: title }) });
    try {
      await row.first().waitFor({ timeout });
    } catch {
      const rows = await this.page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
      await this.closeQuickInput();
      throw new Error(`command "${title}" is not in the command palette (rows shown: ${JSON.stringify(rows)})`);
    }
    await row.first().click();
  }

  /** Picks an entry of an open quick pick by its label. */
  async pick(label, { timeout = 10_000 } = {}) {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label });
    await row.first().waitFor({ timeout });
    await row.first().click();
  }

  /** Opens a workspace file through Quick Open (path relative to the workspace root). */
  async openFile(relPath) {
    await this.openQuickInput(relPath);
    const base = path.basename(relPath);
    const dir = path.dirname(relPath);
    const rows = this.page.locator('.quick-input-list .monaco-list-row', { hasText: base });
    await rows.first().waitFor({ timeout: 15_000 });
    // Prefer the row whose description shows the right folder.
    let target = rows.first();
    if (dir !== '.') {
      const withDir = this.page.locator('.quick-input-list .monaco-list-row', { hasText: base }).filter({ hasText: dir.split(path.sep).pop() });
      if ((await withDir.count()) > 0) target = withDir.first();
    }
    await target.click();
    await this.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: base }).first().waitFor({ timeout: 15_000 });
    await this.activeEditor().locator('.view-lines .view-line').first().waitFor({ timeout: 15_000 });
  }

  activeEditor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** CodeLens texts of the active editor (waits until at least one is shown). */
  async codeLenses({ timeout = 30_000, match } = {}) {
    const lens = this.activeEditor().locator('.codelens-decoration');
    const deadline = Date.now() + timeout;
    let texts = [];
    while (Date.now() < deadline) {
      texts = (await lens.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
      if (texts.length && (!match || texts.some((t) => match.test(t)))) return texts;
      await this.page.waitForTimeout(250);
    }
    return texts;
  }

  /** Hovers the first token of the active editor whose text is `key` (optionally quoted) and returns the hover text. */
  async hoverKey(key, { timeout = 15_000 } = {}) {
    const token = this.activeEditor()
      .locator('.view-lines .view-line span span')
      .filter({ hasText: new RegExp(`^["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?:?$`) })
      .first();
    await token.waitFor({ timeout: 10_000 });
    const hover = this.page.locator('.monaco-hover .monaco-hover-content').filter({ visible: true });
    const deadline = Date.now() + timeout;
    let last = '';
    // Move away and back until a hover with content appears (the first hover may race the provider's activation).
    while (Date.now() < deadline) {
      await this.page.mouse.move(5, 5);
      await token.hover();
      try {
        await hover.first().waitFor({ timeout: 4_000 });
        await this.page.waitForTimeout(400); // let every provider's part render
        last = (await hover.allInnerTexts()).join('\n').trim();
        if (last && !/^Loading\.\.\.$/.test(last)) return last;
      } catch {
        /* retry */
      }
    }
    return last;
  }

  /** Scrolls the active editor so that `line` (1-based) is shown and puts the cursor there, via Go to Line. */
  async gotoLine(line) {
    await this.openQuickInput(`:${line}`);
    await this.page.keyboard.press('Enter');
  }

  /** Webview content frame (two iframes deep). */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  async setTheme(theme) {
    const { label, cls } = {
      light: { label: 'Light Modern', cls: 'vs' },
      dark: { label: 'Dark Modern', cls: 'vs-dark' },
      'high-contrast': { label: 'Dark High Contrast', cls: 'hc-black' },
    }[theme];
    if (await this.hasThemeClass(cls)) return;
    await this.runCommand('Preferences: Color Theme');
    await this.quickInput.fill(label);
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^(Default )?${label}$`) }),
    });
    await row.first().waitFor({ timeout: 10_000 });
    await row.first().click();
    await this.page.waitForFunction(
      (c) => document.querySelector('.monaco-workbench')?.classList.contains(c),
      cls,
      { timeout: 15_000 },
    );
    await this.page.waitForTimeout(500);
  }

  async hasThemeClass(cls) {
    return this.page.evaluate((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls);
  }

  async waitForThemeClass(cls, timeout = 20_000) {
    await this.page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), cls, { timeout });
  }

  /** Hides the bottom panel if it is shown. */
  async hidePanel() {
    if (await this.page.locator('.monaco-workbench .part.panel').first().isVisible().catch(() => false)) {
      await this.runCommand('View: Toggle Panel Visibility');
    }
  }

  /** Opens the Problems panel and returns its rows' texts. */
  async problems({ timeout = 20_000, match } = {}) {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const deadline = Date.now() + timeout;
    let texts = [];
    while (Date.now() < deadline) {
      texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      if (texts.length && (!match || texts.some((t) => match.test(t)))) break;
      await this.page.waitForTimeout(300);
    }
    return texts;
  }

  /** The activation time that VS Code measured ("Developer: Show Running Extensions"), in ms, or null. */
  async activationTime(names) {
    await this.runCommand('Developer: Show Running Extensions');
    const re = new RegExp(`^(${[].concat(names).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
    const row = this.page.locator('.runtime-extensions-editor .monaco-list-row').filter({
      has: this.page.locator('.name', { hasText: re }),
    });
    await row.first().waitFor({ timeout: 15_000 });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const text = await row.first().locator('.activation-time').innerText().catch(() => '');
      const m = /Activation:\s*([\d.]+)\s*ms/i.exec(text);
      if (m) return { ms: Number(m[1]), text: text.trim() };
      await this.page.waitForTimeout(250);
    }
    return null;
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
    return file;
  }
}
