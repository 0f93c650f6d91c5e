import { ISTIO_API_VERSION, type KubeObject } from '../../shared/model/k8s-object.js';
import type { ClusterView } from './cluster-view.js';

/**
 * Objects another team made in the same namespace, one of each Istio kind, none of them ours: a run must leave every
 * one exactly as it was (same resourceVersion), as it must the Service ports it did not add.
 */
function foreignObjects(namespace: string): KubeObject[] {
  const metadata = (name: string): KubeObject['metadata'] => ({ name, namespace, labels: { team: 'payments' } });
  return [
    {
      apiVersion: ISTIO_API_VERSION,
      kind: 'ServiceEntry',
      metadata: metadata('payments-api'),
      spec: {
        hosts: ['api.payments.example.com'],
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
        resolution: 'DNS',
        location: 'MESH_EXTERNAL',
      },
    },
    {
      apiVersion: ISTIO_API_VERSION,
      kind: 'Gateway',
      metadata: metadata('payments-gateway'),
      spec: {
        selector: { istio: 'egressgateway' },
        servers: [
          {
            port: { number: 443, name: 'tls', protocol: 'TLS' },
            hosts: ['api.payments.example.com'],
            tls: { mode: 'PASSTHROUGH' },
          },
        ],
      },
    },
    {
      apiVersion: ISTIO_API_VERSION,
      kind: 'DestinationRule',
      metadata: metadata('payments-api'),
      spec: { host: 'api.payments.example.com' },
    },
    {
      apiVersion: ISTIO_API_VERSION,
      kind: 'VirtualService',
      metadata: metadata('payments-api'),
      spec: {
        hosts: ['api.payments.example.com'],
        tls: [
          {
            match: [{ port: 443, sniHosts: ['api.payments.example.com'] }],
            route: [{ destination: { host: 'api.payments.example.com', port: { number: 443 } } }],
          },
        ],
      },
    },
  ];
}

export interface ForeignSnapshot {
  /** `Kind/name` → resourceVersion of each foreign object, and the Service ports that were not ours. */
  readonly versions: ReadonlyMap<string, string>;
  readonly servicePorts: readonly number[];
}

export async function plantForeignObjects(cluster: ClusterView, gatewayPorts: number[]): Promise<ForeignSnapshot> {
  for (const object of foreignObjects(cluster.namespace)) await cluster.create(object);
  const objects = await cluster.istioObjects();
  const versions = new Map(
    foreignObjects(cluster.namespace).map((o) => [
      `${o.kind}/${o.metadata.name}`,
      objects.get(`${o.kind}/${o.metadata.name}`)!.metadata.resourceVersion!,
    ]),
  );
  return { versions, servicePorts: gatewayPorts };
}

/** Foreign objects changed or deleted, and foreign Service ports removed, since the snapshot. */
export function foreignTouched(
  snapshot: ForeignSnapshot,
  objects: Map<string, KubeObject>,
  servicePorts: number[],
): string[] {
  const changed = [...snapshot.versions]
    .filter(([key, version]) => objects.get(key)?.metadata.resourceVersion !== version)
    .map(([key]) => key);
  const removed = snapshot.servicePorts.filter((p) => !servicePorts.includes(p)).map((p) => `Service port ${p}`);
  return [...changed, ...removed];
}
