/**
 * Bundles the deployed entry points (functions/index.ts) into build/bundle/: what package.json's `main` names, so
 * what Cloud Functions serves after `gcp-build`. A cold start then resolves and reads a few files instead of some 250
 * (ours, zod, undici, google-auth-library and theirs), and the lazily imported adapters stay lazy (one chunk each).
 * Left as packages, loaded from node_modules as before:
 * - the Functions Framework: the bundle registers its functions with the copy that serves them;
 * - @kubernetes/client-node and yaml: only a kubeconfig (local runs, tests) needs them.
 * Source maps are written beside each file; `NODE_OPTIONS=--enable-source-maps` maps stack traces to the sources.
 *   node functions/bundle.mjs
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'build/bundle');

export const EXTERNAL = ['@google-cloud/functions-framework', '@kubernetes/client-node', 'yaml'];

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'functions/index.ts')],
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // A chunk per dynamic import: what an event or a listing loads is loaded by it, not at start-up.
  splitting: true,
  external: EXTERNAL,
  // The CommonJS packages inside (undici, google-auth-library) call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
  },
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
