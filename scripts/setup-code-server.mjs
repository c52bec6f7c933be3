// Installs (once) the pinned code-server into .tools/code-server and checks for a Chromium.
// Usage: node scripts/setup-code-server.mjs [--no-chromium]
// npm test / npm start / npm run bench call the same helpers on first use; this script just does it up front.
import { ensureCodeServer, ensureChromium, CODE_SERVER_VERSION } from './lib/tools.mjs';

try {
  const bin = ensureCodeServer();
  console.log(`code-server ${CODE_SERVER_VERSION}: ${bin}`);
  if (!process.argv.includes('--no-chromium')) console.log(`chromium: ${ensureChromium()}`);
} catch (err) {
  console.error(`setup failed: ${err.message}`);
  process.exit(1);
}
