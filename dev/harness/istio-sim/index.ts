import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { componentReady } from '../process.js';

/**
 * Istio's own traffic simulator (dev/components/istio): Istio's config generation turns the objects into the
 * listeners and clusters istiod would push to a sidecar and to the egress gateway, and Istio's simulator walks each
 * call through them as Envoy would match it. Plain TCP only; no DNS capture, no Envoy runtime, no real connection.
 */
export interface SimCall {
  readonly from: 'sidecar' | 'egress-gateway';
  readonly address: string;
  readonly port: number;
  /**
   * How the connection arrives (default plaintext): `mtls` is Istio mutual TLS, as a sidecar sends it to the egress
   * gateway under a subset with ISTIO_MUTUAL; `sni` is the server name it carries.
   */
  readonly tls?: 'plaintext' | 'tls' | 'mtls';
  readonly sni?: string;
}

export interface SimResult {
  readonly call: SimCall;
  readonly listener?: string;
  readonly filterChain?: string;
  /** Named as Envoy names clusters: `outbound|PORT|SUBSET|HOST`, or BlackHoleCluster / PassthroughCluster. */
  readonly cluster?: string;
  /** That cluster's discovery type: EDS or STATIC (to endpoints Istio lists), ORIGINAL_DST (to the address dialled). */
  readonly clusterType?: string;
  /**
   * That cluster's endpoints as Envoy gets them (EDS, or a STATIC cluster's own); none: nowhere to send it (an
   * ORIGINAL_DST cluster has none, it goes to the address dialled). Through a waypoint over HBONE an endpoint is an
   * internal address, `connect_originate;<waypoint ip>:15008`.
   */
  readonly endpoints?: readonly string[];
  /** Istio's simulator error, e.g. "no listener matched". */
  readonly error?: string;
}

export interface SimProxy {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The proxy's own IP: for the gateway, the Pod IP its Services' targetPorts are looked up by. */
  readonly ip?: string;
}

export interface SimInput {
  /** Istio objects (ServiceEntry, Gateway, DestinationRule, VirtualService). */
  readonly istio: readonly object[];
  /** Kubernetes objects: the egress gateway Service and its Pod. */
  readonly kube: readonly object[];
  readonly sidecar: SimProxy;
  readonly gateway: SimProxy;
  readonly calls: readonly SimCall[];
  /** MeshConfig as YAML; by default the REGISTRY_ONLY policy the project is meant for. */
  readonly meshConfig?: string;
  /**
   * istiod with ambient on, as in a mesh where some pods are ambient: Istio's ambient index is built too (it decides,
   * for one, whether a gateway sends a service's traffic to its waypoint). `kube` then needs the Namespaces and the
   * waypoint's objects (`waypointObjects` in ./ambient.ts).
   */
  readonly ambient?: boolean;
}

/** What one proxy's configuration costs: listeners and clusters istiod would push, and their serialized size. */
export interface ProxyCost {
  readonly listeners: number;
  readonly listenerBytes: number;
  readonly clusters: number;
  readonly clusterBytes: number;
}

/**
 * One filter chain of one listener of the egress gateway as Envoy gets it: whether it terminates TLS and requires a
 * client certificate (Istio mutual TLS), and its RBAC network filters (Istio's AuthorizationPolicies) as Envoy's
 * `envoy.extensions.filters.network.rbac.v3.RBAC` in protobuf JSON.
 */
export interface GatewayChain {
  readonly listener: string;
  readonly port: number;
  readonly serverNames?: readonly string[];
  readonly tls: boolean;
  readonly requireClientCert: boolean;
  readonly rbac?: readonly unknown[];
}

/** The TLS a cluster originates: its SNI, and whether it presents Istio's workload certificate (ISTIO_MUTUAL). */
export interface ClusterTls {
  readonly sni: string;
  readonly istioMutual: boolean;
}

export interface SimAnswer {
  readonly results: SimResult[];
  /** The egress gateway's filter chains, listener by listener. */
  readonly gatewayChains: readonly GatewayChain[];
  /** Per proxy, each cluster that originates TLS by a DestinationRule, by cluster name. */
  readonly clusterTls: Readonly<Record<string, Readonly<Record<string, ClusterTls>> | undefined>>;
  /** Cluster names each proxy was given (a route to a cluster that is not there goes nowhere). */
  readonly clusters: Readonly<Record<string, readonly string[] | undefined>>;
  readonly listeners: Readonly<Record<string, readonly string[] | undefined>>;
  /** Per proxy (`sidecar`, `egress-gateway`): counts, and bytes of the listeners and clusters as protobuf. */
  readonly cost: Readonly<Record<string, ProxyCost | undefined>>;
}

export const REGISTRY_ONLY = 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n';
export const BLACKHOLE = 'BlackHoleCluster';

let binary: string | undefined;

/** Runs the simulator once for every call (one config generation per run, about a tenth of a second). */
export async function simulate(input: SimInput): Promise<SimAnswer> {
  return runSimulator<SimAnswer>(
    'TestSimulate',
    {
      config: yamlDocs(input.istio),
      kube: yamlDocs(input.kube),
      meshConfig: input.meshConfig ?? REGISTRY_ONLY,
      sidecar: input.sidecar,
      gateway: input.gateway,
      calls: input.calls.map((c) => ({ ...c, protocol: 'TCP' })),
      ambient: input.ambient ?? false,
    },
    input.ambient ? { PILOT_ENABLE_AMBIENT: 'true' } : {},
  );
}

export const yamlDocs = (objects: readonly object[]): string => objects.map((o) => stringify(o)).join('---\n');

/** Runs one test of the simulator binary on `input` (written as JSON) and returns the JSON it writes. */
export async function runSimulator<T>(
  test: string,
  input: object,
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  binary ??= await componentReady('istio-sim');
  const dir = mkdtempSync(join(tmpdir(), 'istio-sim-'));
  try {
    const inputPath = join(dir, 'input.json');
    const outputPath = join(dir, 'output.json');
    writeFileSync(inputPath, JSON.stringify(input));
    const runEnv = { ...process.env, ...env, ISTIO_SIM_INPUT: inputPath, ISTIO_SIM_OUTPUT: outputPath };
    await new Promise<void>((resolve, reject) => {
      execFile(
        binary!,
        ['-test.run', `^${test}$`],
        { env: runEnv, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 },
        (error, stdout) => {
          // The Go test framework prints FAIL and the reason (a t.Fatalf) among istiod's own log lines.
          if (error)
            reject(
              new Error(
                `istio-sim failed: ${stdout
                  .split('\n')
                  .filter((l) => !/^\S+Z\t/.test(l))
                  .slice(-20)
                  .join('\n')}`,
              ),
            );
          else resolve();
        },
      );
    });
    // `go test` runs nothing, and succeeds, when the binary has no such test (one built from older sources).
    if (!existsSync(outputPath)) throw new Error(`istio-sim wrote no output: does ${binary} have ${test}?`);
    return JSON.parse(readFileSync(outputPath, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Blocked: no listener took the connection, or it went to the BlackHole, as REGISTRY_ONLY does to unknown hosts. */
export function isBlocked(result: SimResult): boolean {
  return result.error !== undefined || result.cluster === BLACKHOLE;
}

/** One line, as `istioctl proxy-config` would let an operator piece it together: `sidecar → 10.0.0.5:6379 ⇒ ...`. */
export function describeResult(result: SimResult): string {
  const { from, address, port } = result.call;
  const where = `${from} → ${address}:${port}`;
  if (result.error) return `${where} ⇒ ${result.error}${result.listener ? ` (listener ${result.listener})` : ''}`;
  const chain = result.filterChain ? ` filter chain ${result.filterChain}` : '';
  return `${where} ⇒ listener ${result.listener ?? '?'}${chain} → cluster ${result.cluster ?? '(none)'}`;
}

/** An Envoy cluster name `outbound|PORT|SUBSET|HOST`, or undefined for any other cluster. */
export function parseOutboundCluster(
  name: string | undefined,
): { port: number; subset: string; host: string } | undefined {
  const match = /^outbound\|(\d+)\|([^|]*)\|(.+)$/.exec(name ?? '');
  return match ? { port: Number(match[1]), subset: match[2]!, host: match[3]! } : undefined;
}

export const outboundCluster = (port: number, subset: string, host: string): string =>
  `outbound|${port}|${subset}|${host}`;

/** The fields of a stored object Istio reads: the apiserver's bookkeeping (managedFields, status...) is left out. */
export function asInput(object: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: unknown };
  spec?: unknown;
}): object {
  const { name, namespace, labels, creationTimestamp } = object.metadata ?? {};
  // creationTimestamp is kept: Istio orders VirtualServices for the same host by it.
  const created = creationTimestamp instanceof Date ? creationTimestamp.toISOString() : creationTimestamp;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace, labels, ...(created ? { creationTimestamp: created } : {}) },
    spec: object.spec,
  };
}

/**
 * A running Pod behind the gateway Service, with `ip`: the test apiserver has no kubelet, so no gateway Pod runs.
 * Istio finds the gateway's Services through its Pod (by IP, then labels) and binds each Gateway server on the
 * targetPort of the Service port it names, as istiod does for a real egress gateway.
 */
export function gatewayPod(
  service: { metadata: { name: string; namespace: string }; spec: { selector: Record<string, string> } },
  ip: string,
): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${service.metadata.name}-sim`,
      namespace: service.metadata.namespace,
      labels: service.spec.selector,
    },
    spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
