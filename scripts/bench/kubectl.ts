import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentPath } from '../../dev/harness/process.js';

/** kubectl built from the same pinned Kubernetes module as the apiserver (dev/components/build.sh kubectl). */
export const kubectlPath = (): string => componentPath('kubectl');

/**
 * `kubectl apply --server-side` of a manifest, as an operator would run it; resolves with the wall time. A fresh
 * discovery cache each run, so kubectl pays for discovery as the function pays for its own start. Killed when the
 * signal fires.
 */
export function kubectlApply(
  kubeconfig: string,
  manifest: string,
  fieldManager: string,
  signal: AbortSignal,
): Promise<number> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  const args = [
    'apply',
    '--server-side',
    '--force-conflicts',
    `--field-manager=${fieldManager}`,
    `--kubeconfig=${kubeconfig}`,
    `--cache-dir=${cacheDir}`,
    '-f',
    manifest,
    '-o',
    'name',
  ];
  const started = performance.now();
  const child = spawn(kubectlPath(), args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      rmSync(cacheDir, { recursive: true, force: true });
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`kubectl exited ${code}: ${errors.join('').trim().split('\n').slice(-1)[0] ?? ''}`));
    });
  });
}
