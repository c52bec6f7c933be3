/** The breakdown webview panel: HTML with a strict CSP, typed messages, state restored by a serializer. */
import * as vscode from 'vscode';
import { isWebviewMessage, type HostMessage, type PanelData, type PanelView } from '../shared/protocol.ts';
import { makeNonce, webviewHtml } from './html.ts';

export const VIEW_TYPE = 'llmFootprint.breakdown';

export class BreakdownPanel implements vscode.Disposable {
  static current: BreakdownPanel | undefined;
  private data: PanelData | null = null;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, data: PanelData, onSelectGpu: (gpu: string) => void): BreakdownPanel {
    if (BreakdownPanel.current) {
      BreakdownPanel.current.panel.reveal(undefined, false);
      BreakdownPanel.current.load(data);
      return BreakdownPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'LLM Footprint', vscode.ViewColumn.Beside, BreakdownPanel.options(extensionUri));
    const p = new BreakdownPanel(panel, extensionUri, onSelectGpu);
    p.load(data);
    return p;
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  /** Re-attaches to a panel restored after a reload; the webview restores its own state from getState(). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, onSelectGpu: (gpu: string) => void): BreakdownPanel {
    panel.webview.options = BreakdownPanel.options(extensionUri);
    return new BreakdownPanel(panel, extensionUri, onSelectGpu);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly onSelectGpu: (gpu: string) => void,
  ) {
    BreakdownPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
  }

  private html(): string {
    const w = this.panel.webview;
    return webviewHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'webview.css')).toString(),
    });
  }

  load(data: PanelData): void {
    this.data = data;
    this.panel.title = `LLM Footprint: ${data.source.label.split('/').pop()}`;
    if (this.ready) this.post({ type: 'load', data });
  }

  setView(view: PanelView): void {
    this.post({ type: 'setView', view });
  }

  setGpu(gpu: string): void {
    this.post({ type: 'setGpu', gpu });
  }

  private post(m: HostMessage): void {
    void this.panel.webview.postMessage(m);
  }

  private async receive(m: unknown): Promise<void> {
    if (!isWebviewMessage(m)) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.data) this.post({ type: 'load', data: this.data });
        break;
      case 'copyMarkdown':
        await vscode.env.clipboard.writeText(m.markdown);
        void vscode.window.showInformationMessage('LLM Footprint: estimate copied as Markdown.');
        break;
      case 'openSource': {
        try {
          // Only a file inside a workspace folder (the panel names the file it shows and its model config).
          const uri = vscode.Uri.parse(m.uri, true);
          if (!insideWorkspace(uri)) break;
          await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
        } catch {
          /* a bad URI from the webview is ignored */
        }
        break;
      }
      case 'selectGpu':
        this.onSelectGpu(m.gpu);
        break;
      case 'log':
        if (m.level === 'error') console.error(`[llm-footprint webview] ${m.message}`);
        break;
    }
  }

  dispose(): void {
    if (BreakdownPanel.current === this) BreakdownPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Whether a URI is a file inside one of the workspace folders (same scheme and authority, under its path). */
export function insideWorkspace(uri: vscode.Uri): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => {
    if (f.uri.scheme !== uri.scheme || f.uri.authority !== uri.authority) return false;
    const root = f.uri.path.replace(/\/+$/, '');
    return pathInside(uri.path, root);
  });
}

/** `p` (a URI path) is `root` or below it, with no `.`/`..` segments that could climb out. */
export function pathInside(p: string, root: string): boolean {
  if (p.split('/').some((s) => s === '..' || s === '.')) return false;
  return p === root || p.startsWith(root + '/');
}
