/**
 * The package's `main`: the engine's library API (`const { estimate } = require('llm-footprint')`), and the
 * VS Code entry points, which load the extension bundle only when VS Code activates it (so requiring the
 * library never touches the `vscode` module).
 */
export * from './core/index.ts';

interface ExtensionModule {
  activate(context: unknown): unknown;
  deactivate?(): unknown;
}

let ext: ExtensionModule | undefined;

export function activate(context: unknown): unknown {
  // Resolved at run time next to this bundle (dist/extension.js); esbuild leaves it external.
  ext = require('./extension.js') as ExtensionModule;
  return ext.activate(context);
}

export function deactivate(): unknown {
  return ext?.deactivate?.();
}
