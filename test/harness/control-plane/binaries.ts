import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { componentPath, REPO_ROOT } from '../process.js';

/**
 * etcd and kube-apiserver: from KUBEBUILDER_ASSETS when it points at ready binaries (as envtest allows), else built
 * from the project's pinned Go modules.
 */
export function controlPlaneBinaries(): { etcd: string; kubeApiserver: string } {
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets && existsSync(join(assets, 'kube-apiserver')) && existsSync(join(assets, 'etcd'))) {
    return { etcd: join(assets, 'etcd'), kubeApiserver: join(assets, 'kube-apiserver') };
  }
  return { etcd: componentPath('etcd'), kubeApiserver: componentPath('kube-apiserver') };
}

/** Istio's CRD bundle from the pinned Istio module, the same version istioctl is built from. */
export function istioCrdPath(): string {
  const moduleDir = join(REPO_ROOT, 'test/components/istioctl');
  const env = { ...process.env, GOWORK: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
  spawnSync('go', ['mod', 'download', 'istio.io/istio'], { cwd: moduleDir, env, stdio: 'inherit' });
  const result = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'istio.io/istio'], { cwd: moduleDir, env, encoding: 'utf8' });
  const path = join(result.stdout.trim(), 'manifests/charts/base/files/crd-all.gen.yaml');
  if (result.status !== 0 || !existsSync(path)) throw new Error(`Istio CRDs not found in the pinned module: ${result.stderr}`);
  return path;
}
