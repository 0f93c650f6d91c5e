import {
  asInput,
  describeResult,
  gatewayPod,
  outboundCluster,
  parseOutboundCluster,
  simulate,
  type SimAnswer,
  type SimCall,
  type SimResult,
} from '../harness/istio-sim/index.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { ClusterView } from './cluster-view.js';

/**
 * Routing assertions through Istio's own simulator, on the objects the functions really wrote: everything is read
 * back from the apiserver as an administrator, then Istio decides where a pod's connection goes.
 */
export const GATEWAY_SERVICE = 'istio-egressgateway';
/** The gateway Pod's IP in the simulation (no Pod runs: the apiserver has no kubelet). */
const GATEWAY_IP = '10.1.0.9';
/** A client pod in an application namespace of its own, as a real caller would be. */
const CLIENT_NAMESPACE = 'apps';
/** An address nobody declared: it must be blocked at every step (REGISTRY_ONLY). */
export const UNDECLARED: SimCall = { from: 'sidecar', address: '10.250.250.250', port: 6379 };

export class Routing {
  constructor(private readonly cluster: ClusterView) {}

  get gatewayHost(): string {
    return this.hostOf(GATEWAY_SERVICE);
  }

  /** The mesh host of a Service in the gateway's namespace (the egress gateway's, or a port Service). */
  hostOf(service: string): string {
    return `${service}.${this.cluster.namespace}.svc.cluster.local`;
  }

  /**
   * Simulates the calls on the live objects (those `keep` keeps: to compare with some left out); the answer keeps the
   * gateway Service for targetPort lookups.
   */
  async simulate(
    calls: readonly SimCall[],
    keep: (object: KubeObject) => boolean = () => true,
  ): Promise<SimAnswer & { targetPort(port: number): number | undefined }> {
    const services = await this.cluster.gatewayServices();
    const service = services.find((s) => s.metadata.name === GATEWAY_SERVICE)!;
    const istio = [...(await this.cluster.istioObjects()).values()].filter(keep).map(asInput);
    const answer = await simulate({
      istio,
      kube: [
        ...services.map((s) => asInput({ ...s, apiVersion: 'v1', kind: 'Service' })),
        gatewayPod(service, GATEWAY_IP),
      ],
      sidecar: { namespace: CLIENT_NAMESPACE },
      gateway: { namespace: service.metadata.namespace, labels: service.spec.selector, ip: GATEWAY_IP },
      calls,
    });
    const targetPort = (port: number): number | undefined => {
      const found = services.flatMap((s) => s.spec.ports).find((p) => p.port === port);
      return found ? Number(found.targetPort ?? found.port) : undefined;
    };
    return { ...answer, targetPort };
  }

  /** The call at the gateway that the sidecar's route hands the connection to: the gateway Pod on the targetPort. */
  gatewayCall(port: number): SimCall {
    return { from: 'egress-gateway', address: GATEWAY_IP, port };
  }
}

/**
 * A call and where it ends, as one line named the way Envoy names things, so a failed expectation reads like
 * `istioctl proxy-config`:
 * `sidecar → 10.100.0.1:6379 ⇒ outbound|16000|orders-0a1b|istio-egressgateway.ns.svc.cluster.local`.
 */
export function routeLine(result: SimResult): string {
  const { from, address, port } = result.call;
  return `${from} → ${address}:${port} ⇒ ${result.error ?? result.cluster ?? '(no cluster)'}`;
}

export const expectLine = (call: SimCall, end: string): string =>
  `${call.from} → ${call.address}:${call.port} ⇒ ${end}`;

/** An Envoy cluster must exist on the proxy for a route to it to go anywhere (a renamed subset leaves it dangling). */
export function danglingClusters(answer: SimAnswer): string[] {
  return answer.results
    .filter((r) => parseOutboundCluster(r.cluster) && !(answer.clusters[r.call.from] ?? []).includes(r.cluster!))
    .map((r) => `${describeResult(r)}: the ${r.call.from} has no cluster ${r.cluster}`);
}

export { outboundCluster };
