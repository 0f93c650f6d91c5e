import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, type Managed } from '../process.js';
import { controlPlaneBinaries, istioCrdPath } from './binaries.js';
import { installCrds } from './install-crds.js';
import { writeKubeconfig } from './kubeconfig.js';

export interface ControlPlane {
  readonly server: string;
  readonly adminKubeconfigPath: string;
  readonly adminToken: string;
  readonly dataDir: string;
  /** A kubeconfig that authenticates as one of the users named at start (static token, no groups but system:authenticated). */
  kubeconfigFor(user: string): string;
  stop(): Promise<void>;
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function startEtcd(binary: string, dir: string): Promise<{ url: string; managed: Managed }> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const managed = startProcess(binary, [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync=true', // test data: durability is not wanted, speed is
  ], join(dir, 'etcd.log'));
  await waitFor('etcd', async () => (await fetch(`${url}/health`)).ok, managed);
  return { url, managed };
}

/** Service-account signing keys: envtest mints certificates; a plain EC key pair is all the apiserver needs. */
function writeServiceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const paths = { publicKey: join(dir, 'sa.pub'), privateKey: join(dir, 'sa.key') };
  writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return paths;
}

/**
 * A real kube-apiserver on etcd, on loopback, with token authentication and RBAC on, as controller-runtime's envtest
 * runs it; Istio's CRDs installed and Established, so their schemas and CEL rules are enforced. No controller-manager
 * runs: namespaces are never deleted, so tests use a fresh namespace each.
 */
export async function startControlPlane(options: { users?: readonly string[]; crds?: boolean } = {}): Promise<ControlPlane> {
  const started = Date.now();
  const binaries = controlPlaneBinaries();
  const dataDir = mkdtempSync(join(tmpdir(), 'control-plane-'));
  mkdirSync(join(dataDir, 'certs'));
  const etcd = await startEtcd(binaries.etcd, dataDir);
  const keys = writeServiceAccountKeys(dataDir);
  const tokens = new Map([['admin', randomBytes(24).toString('hex')], ...(options.users ?? []).map((u) => [u, randomBytes(24).toString('hex')] as [string, string])]);
  const tokenFile = [...tokens].map(([user, token], i) => `${token},${user},uid-${i}${user === 'admin' ? ',"system:masters"' : ''}`).join('\n');
  writeFileSync(join(dataDir, 'tokens.csv'), `${tokenFile}\n`, { mode: 0o600 });
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const apiserver = startProcess(binaries.kubeApiserver, [
    `--etcd-servers=${etcd.url}`, `--cert-dir=${join(dataDir, 'certs')}`, `--secure-port=${port}`,
    // Without an explicit advertise address the apiserver looks for the host's default-route IP, absent in sandboxes.
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24', '--allow-privileged=true',
    '--authorization-mode=RBAC', '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=${server}/`, `--service-account-key-file=${keys.publicKey}`, `--service-account-signing-key-file=${keys.privateKey}`,
    `--token-auth-file=${join(dataDir, 'tokens.csv')}`,
  ], join(dataDir, 'kube-apiserver.log'));
  const stop = async (): Promise<void> => {
    await apiserver.stop();
    await etcd.managed.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor('kube-apiserver', () => healthy(`${server}/readyz`), apiserver, 90_000);
    const adminKubeconfigPath = writeKubeconfig(join(dataDir, 'admin.kubeconfig'), server, 'admin', tokens.get('admin')!);
    if (options.crds !== false) await installCrds(adminKubeconfigPath, istioCrdPath());
    process.stderr.write(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    return {
      server,
      adminKubeconfigPath,
      adminToken: tokens.get('admin')!,
      dataDir,
      kubeconfigFor(user: string): string {
        const token = tokens.get(user);
        if (!token) throw new Error(`no token for ${user}: name it in startControlPlane({ users })`);
        return writeKubeconfig(join(dataDir, `${user.replace(/[^a-z0-9]/gi, '_')}.kubeconfig`), server, user, token);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
