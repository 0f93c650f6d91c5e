import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ISTIO_KINDS } from '../../shared/model/k8s-object.js';
import { loadKubeconfig } from '../../dev/harness/control-plane/index.js';
import { GATEWAY_SERVICE } from './bench-stack.js';

const PLURAL: Record<string, string> = {
  ServiceEntry: 'serviceentries',
  Gateway: 'gateways',
  DestinationRule: 'destinationrules',
  VirtualService: 'virtualservices',
};

/**
 * Objects per Istio kind in a namespace (every page followed), and "Service port" = ports on the gateway Service and
 * the port Services beside it.
 */
export async function countObjects(kubeconfigPath: string, namespace: string): Promise<Map<string, number>> {
  const kubeConfig = loadKubeconfig(kubeconfigPath);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const counts = new Map<string, number>();
  for (const kind of ISTIO_KINDS) {
    let total = 0;
    let token: string | undefined;
    do {
      const page = (await custom.listNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace,
        plural: PLURAL[kind]!,
        limit: 500,
        ...(token ? { _continue: token } : {}),
      })) as { items: unknown[]; metadata?: { continue?: string } };
      total += page.items.length;
      token = page.metadata?.continue || undefined;
    } while (token);
    counts.set(kind, total);
  }
  counts.set('Service port', 2 + (await gatewayPorts(kubeconfigPath, namespace)).ports);
  return counts;
}

/** What rendering says the namespace should hold, in the same terms (the installer's two ports included). */
export function expectedCounts(
  objects: ReadonlyArray<{ kind: string; spec: Readonly<Record<string, unknown>> }>,
): Map<string, number> {
  const counts = new Map<string, number>(
    ISTIO_KINDS.map((kind) => [kind, objects.filter((o) => o.kind === kind).length]),
  );
  // The ports on every Service rendered: the egress gateway Service's and those of ours beside it.
  const ports = objects
    .filter((o) => o.kind === 'Service')
    .reduce((sum, o) => sum + ((o.spec['ports'] as unknown[] | undefined)?.length ?? 0), 0);
  counts.set('Service port', 2 + ports);
  return counts;
}

/**
 * The ports the project added on the egress gateway Service(s) of a namespace: every Service's ports but the
 * installer's two on the gateway Service, and how many Services hold them (the ports may be spread over several).
 */
export async function gatewayPorts(
  kubeconfigPath: string,
  namespace: string,
): Promise<{ ports: number; services: number }> {
  const core = loadKubeconfig(kubeconfigPath).makeApiClient(CoreV1Api);
  const list = await core.listNamespacedService({ namespace });
  const holding = list.items.filter(
    (s) => (s.spec?.ports?.length ?? 0) > (s.metadata?.name === GATEWAY_SERVICE ? 2 : 0),
  );
  const ports = holding.reduce((sum, s) => sum + (s.spec?.ports?.length ?? 0), 0);
  return { ports: Math.max(0, ports - 2), services: holding.length };
}
