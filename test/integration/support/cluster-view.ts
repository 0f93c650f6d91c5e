import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { ISTIO_API_VERSION, ISTIO_KINDS, type KubeObject } from '../../../shared/model/k8s-object.js';

/** The cluster as an administrator sees it, for assertions: never through the functions' own code. */
export class ClusterView {
  readonly api: KubernetesObjectApi;

  constructor(kubeconfigPath: string, readonly namespace: string) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** Every Istio object in the namespace, as `Kind/name` → object. */
  async istioObjects(): Promise<Map<string, KubeObject>> {
    const result = new Map<string, KubeObject>();
    for (const kind of ISTIO_KINDS) {
      const list = await this.api.list(ISTIO_API_VERSION, kind, this.namespace);
      for (const item of list.items) {
        const object = JSON.parse(JSON.stringify({ ...item, apiVersion: ISTIO_API_VERSION, kind })) as KubeObject;
        result.set(`${kind}/${object.metadata.name}`, object);
      }
    }
    return result;
  }

  /** Ports of the egress gateway Service. */
  async gatewayPorts(): Promise<number[]> {
    const service = await this.api.read({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-egressgateway', namespace: this.namespace } });
    const ports = (JSON.parse(JSON.stringify(service)) as { spec: { ports: Array<{ port: number }> } }).spec.ports;
    return ports.map((p) => p.port).sort((a, b) => a - b);
  }

  async create(object: KubeObject): Promise<void> {
    await this.api.create(object);
  }
}
