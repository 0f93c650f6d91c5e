import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInBackground, componentPath, componentReady, REPO_ROOT } from '../../dev/harness/process.js';

// etcd and kube-apiserver a user already has stand in for a build when they are the pinned version. The real binaries
// (built once by the global set-up) play the user's; GOCACHE=off makes any build fail at once ("build cache is
// disabled by GOCACHE=off, but required as of Go 1.12"), so a build that should not happen cannot hide behind a cache.
const dir = mkdtempSync(join(tmpdir(), 'components-'));
const etcd = componentPath('etcd');
const kubeApiserver = componentPath('kube-apiserver');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(name: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(`${REPO_ROOT}dev/components/build.sh`, [name], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, COMPONENTS_CACHE: join(dir, 'empty-cache'), GOCACHE: 'off', ...env },
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

/** A binary on its own in a folder, for PATH. */
function onPath(name: string, script: string): string {
  const bin = join(dir, `path-${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(bin);
  writeFileSync(join(bin, name), script);
  chmodSync(join(bin, name), 0o755);
  return bin;
}

test('ETCD_BIN and KUBE_APISERVER_BIN at the pinned version are used, nothing is built', () => {
  expect(build('etcd', { ETCD_BIN: etcd })).toMatchObject({ status: 0, stdout: etcd });
  expect(build('kube-apiserver', { KUBE_APISERVER_BIN: kubeApiserver })).toMatchObject({
    status: 0,
    stdout: kubeApiserver,
  });
});

test('ETCD_BIN at another version is a configuration error that names the variable', () => {
  // What etcd 3.5 prints first for --version (etcd's `etcd --version`: "etcd Version: <x.y.z>").
  const old = join(onPath('etcd', '#!/bin/sh\necho "etcd Version: 3.5.21"\n'), 'etcd');
  const result = build('etcd', { ETCD_BIN: old });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(`ETCD_BIN=${old} reports 'etcd Version: 3.5.21', not the pinned 'etcd Version: 3.6.`);
});

test('a kube-apiserver on PATH is used at the pinned version only; another version is built over', () => {
  const pinned = onPath('kube-apiserver', `#!/bin/sh\nexec ${kubeApiserver} "$@"\n`);
  expect(build('kube-apiserver', { PATH: `${pinned}:${process.env['PATH']}` })).toMatchObject({
    status: 0,
    stdout: join(pinned, 'kube-apiserver'),
  });
  const other = onPath('kube-apiserver', '#!/bin/sh\necho "Kubernetes v1.30.0"\n');
  const result = build('kube-apiserver', { PATH: `${other}:${process.env['PATH']}` });
  expect(result.stderr).toContain("reports 'Kubernetes v1.30.0', building the pinned one");
  expect(result.stderr).toContain('build cache is disabled');
  expect(result.status).not.toBe(0);
});

test('a background build does not hold the run up; the first use waits for that same build', async () => {
  const started = Date.now();
  const path = buildInBackground('istio-sim');
  // build.sh takes a few hundred milliseconds even for a cached binary (it asks go for the pinned version).
  expect(Date.now() - started).toBeLessThan(100);
  expect(componentReady('istio-sim')).toBe(path);
  await expect(path).resolves.toBe(componentPath('istio-sim'));
});
