import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { componentPath, REPO_ROOT } from '../process.js';

/**
 * etcd and kube-apiserver: from KUBEBUILDER_ASSETS when it points at ready binaries (as envtest allows), else built
 * from the project's pinned Go modules (cached after the first build).
 */
export function controlPlaneBinaries(): { etcd: string; kubeApiserver: string } {
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets) {
    const paths = { etcd: join(assets, 'etcd'), kubeApiserver: join(assets, 'kube-apiserver') };
    if (existsSync(paths.etcd) && existsSync(paths.kubeApiserver)) return paths;
    process.stderr.write(`KUBEBUILDER_ASSETS=${assets} has no etcd and kube-apiserver; building them instead\n`);
  }
  return { etcd: componentPath('etcd'), kubeApiserver: componentPath('kube-apiserver') };
}

/**
 * Whether this etcd knows a flag: `--unsafe-no-fsync` is missing from old etcd 3.4 builds (envtest checks the same
 * way).
 */
export function etcdSupports(etcd: string, flag: string): boolean {
  const help = spawnSync(etcd, ['--help'], { encoding: 'utf8' });
  return `${help.stdout}${help.stderr}`.includes(flag);
}

/**
 * Istio's CRD bundle from the pinned Istio module, the same version istioctl is built from, read in place from the Go
 * module cache. The module is fetched only when it is not there yet (a fresh machine that has not built istioctl).
 * `-mod=readonly`: looking the module up must never rewrite the pinned go.mod/go.sum.
 */
export function istioCrdPath(): string {
  const cwd = join(REPO_ROOT, 'dev/components/istio');
  const env = { ...process.env, GOWORK: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' };
  const moduleDir = (): string =>
    spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'istio.io/istio'], {
      cwd,
      env,
      encoding: 'utf8',
    }).stdout?.trim() ?? '';
  let dir = moduleDir();
  if (!dir) {
    const download = spawnSync('go', ['mod', 'download', 'istio.io/istio'], { cwd, env, encoding: 'utf8' });
    if (download.status !== 0) throw new Error(`go mod download istio.io/istio failed: ${download.stderr}`);
    dir = moduleDir();
  }
  const path = join(dir, 'manifests/charts/base/files/crd-all.gen.yaml');
  if (!dir || !existsSync(path)) throw new Error(`Istio CRDs not found in the pinned module (looked for ${path})`);
  return path;
}

/** The project's own CRD (MemorystoreAccess declarations), as Terraform installs it beside Istio's. */
export function accessCrdPath(): string {
  return join(REPO_ROOT, 'terraform/kubernetes/memorystore-access-crd.yaml');
}
