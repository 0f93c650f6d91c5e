import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, type Managed } from '../process.js';
import { accessCrdPath, controlPlaneBinaries, etcdSupports, istioCrdPath } from './binaries.js';
import { installCrds } from './install-crds.js';
import { writeKubeconfig } from './kubeconfig.js';

/** Users that get a token when the caller names none: the functions' identity and one with no rights at all. */
export const DEFAULT_USERS = [
  'memorystore-egress-sync@test-project.iam.gserviceaccount.com',
  'intruder@example.com',
] as const;

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly adminKubeconfigPath: string;
  /** Static token of "admin" (group system:masters). */
  readonly adminToken: string;
  /** Temporary folder with etcd's data, the keys, the token file and both processes' logs; removed by stop(). */
  readonly dataDir: string;
  /** The CRDs installed: Istio's, or those of `crdBundles` (empty with `crds: false`). */
  readonly crds: readonly string[];
  /**
   * Writes a kubeconfig that authenticates as a user named at start (static token; groups: system:authenticated only).
   */
  kubeconfigFor(user: string): string;
  /** The apiserver's audit log (JSON lines), when started with `auditPolicy`. */
  readonly auditLogPath?: string;
  /** The last lines of both processes' logs, for a failure message. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Install Istio's CRDs from the pinned Istio module and the project's own (default true). */
  crds?: boolean;
  /** CRD bundles (YAML files) to install instead of Istio's alone; `crds: false` installs none. */
  crdBundles?: readonly string[];
  /** Users that get a static token (default DEFAULT_USERS); "admin" always has one. */
  users?: readonly string[];
  /**
   * An audit Policy (YAML): the apiserver then writes one JSON line per audit event to `auditLogPath`, synchronously
   * (the log backend's default blocking mode), so an answered request is in the file. For counting requests.
   */
  auditPolicy?: string;
}

/** The flags that turn on the audit log, with the policy written beside it. */
function auditArgs(dir: string, policy: string | undefined): { args: string[]; logPath?: string } {
  if (policy === undefined) return { args: [] };
  const policyPath = join(dir, 'audit-policy.yaml');
  const logPath = join(dir, 'audit.log');
  writeFileSync(policyPath, policy);
  // The log rotates at 100 MB by default; a bench at thousands of instances writes more than that.
  const args = [
    `--audit-policy-file=${policyPath}`,
    `--audit-log-path=${logPath}`,
    '--audit-log-format=json',
    '--audit-log-maxsize=4096',
  ];
  return { args, logPath };
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
  const peerUrl = `http://127.0.0.1:${peer}`;
  const managed = startProcess(
    binary,
    [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Throwaway data: durability is not wanted, speed is. Old etcd 3.4 builds lack the flag.
      ...(etcdSupports(binary, '--unsafe-no-fsync') ? ['--unsafe-no-fsync=true'] : []),
    ],
    join(dir, 'etcd.log'),
  );
  await waitFor('etcd', async () => (await fetch(`${url}/health`)).ok, managed);
  return { url, managed };
}

/** Service-account signing keys: envtest mints certificates; a plain EC key pair (PKCS#8/SPKI PEM) is all it needs. */
function writeServiceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const paths = { publicKey: join(dir, 'sa.pub'), privateKey: join(dir, 'sa.key') };
  writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return paths;
}

/** The --token-auth-file (token,user,uid,"groups"): static tokens stand in for envtest's client certificates. */
function writeTokens(dir: string, users: readonly string[]): Map<string, string> {
  const tokens = new Map([
    ['admin', randomBytes(24).toString('hex')],
    ...users.map((u) => [u, randomBytes(24).toString('hex')] as const),
  ]);
  const lines = [...tokens].map(
    ([user, token], i) => `${token},${user},uid-${i}${user === 'admin' ? ',"system:masters"' : ''}`,
  );
  writeFileSync(join(dir, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

function apiserverArgs(dir: string, port: number, etcdUrl: string): string[] {
  const keys = writeServiceAccountKeys(dir);
  return [
    `--etcd-servers=${etcdUrl}`,
    `--secure-port=${port}`,
    // No --tls-cert-file: the apiserver makes its own serving cert (for 127.0.0.1) in --cert-dir.
    `--cert-dir=${join(dir, 'certs')}`,
    // Without an explicit advertise address the apiserver looks for the host's default-route IP, absent in sandboxes.
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // RBAC only (no AlwaysAllow): tests prove what the project's Role grants and what it does not.
    '--authorization-mode=RBAC',
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${keys.publicKey}`,
    `--service-account-signing-key-file=${keys.privateKey}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
  ];
}

/**
 * A real kube-apiserver on etcd, on loopback, with static-token authentication and RBAC, as controller-runtime's
 * envtest runs it; Istio's CRDs installed, so their OpenAPI schemas and CEL rules are enforced. No controller-manager
 * runs: namespaces are never deleted and there is no garbage collection, so tests use a fresh namespace each.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const binaries = controlPlaneBinaries();
  const dataDir = mkdtempSync(join(tmpdir(), 'control-plane-'));
  mkdirSync(join(dataDir, 'certs'));
  const tokens = writeTokens(dataDir, options.users ?? DEFAULT_USERS);
  const processes: Managed[] = [];
  const logTail = (lines = 20): string => processes.map((p) => `--- ${p.logPath}\n${p.tail(lines)}`).join('\n');
  const stop = async (): Promise<void> => {
    for (const managed of [...processes].reverse()) await managed.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(binaries.etcd, dataDir);
    processes.push(etcd.managed);
    const etcdMs = Date.now() - started;
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const audit = auditArgs(dataDir, options.auditPolicy);
    const apiserver = startProcess(
      binaries.kubeApiserver,
      [...apiserverArgs(dataDir, port, etcd.url), ...audit.args],
      join(dataDir, 'kube-apiserver.log'),
    );
    processes.push(apiserver);
    await waitFor('kube-apiserver', () => healthy(`${server}/readyz`), apiserver, 90_000);
    const apiserverMs = Date.now() - started;
    const caPath = join(dataDir, 'certs/apiserver.crt');
    const adminKubeconfigPath = writeKubeconfig(
      join(dataDir, 'admin.kubeconfig'),
      server,
      'admin',
      tokens.get('admin')!,
      caPath,
    );
    const bundles = options.crds === false ? [] : (options.crdBundles ?? [istioCrdPath(), accessCrdPath()]);
    const crds: string[] = [];
    for (const bundle of bundles) crds.push(...(await installCrds(adminKubeconfigPath, bundle)));
    const seconds = (ms: number): string => (ms / 1000).toFixed(1);
    process.stderr.write(
      `control plane ready in ${seconds(Date.now() - started)}s (etcd ${seconds(etcdMs)}s, kube-apiserver ${seconds(apiserverMs)}s, ${crds.length} CRDs)\n`,
    );
    return {
      server,
      adminKubeconfigPath,
      adminToken: tokens.get('admin')!,
      dataDir,
      crds,
      ...(audit.logPath ? { auditLogPath: audit.logPath } : {}),
      kubeconfigFor(user: string): string {
        const token = tokens.get(user);
        if (!token) throw new Error(`no token for ${user}: name it in startControlPlane({ users })`);
        return writeKubeconfig(
          join(dataDir, `${user.replace(/[^a-z0-9]/gi, '_')}.kubeconfig`),
          server,
          user,
          token,
          caPath,
        );
      },
      logTail,
      stop,
    };
  } catch (error) {
    const tail = logTail();
    await stop();
    throw new Error(
      `control plane failed to start: ${error instanceof Error ? error.message : String(error)}\n${tail}`,
      { cause: error },
    );
  }
}
