import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { INSTANCE_KINDS, type KubeObject } from '../../shared/model/k8s-object.js';

/** The cluster as an administrator sees it, for assertions: never through the functions' own code. */
export class ClusterView {
  readonly api: KubernetesObjectApi;

  constructor(
    kubeconfigPath: string,
    readonly namespace: string,
  ) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** Every Istio object in the namespace (routing kinds and AuthorizationPolicies), as `Kind/name` → object. */
  async istioObjects(): Promise<Map<string, KubeObject>> {
    const result = new Map<string, KubeObject>();
    for (const { apiVersion, kind } of INSTANCE_KINDS) {
      const list = await this.api.list(apiVersion, kind, this.namespace);
      for (const item of list.items) {
        const object = JSON.parse(JSON.stringify({ ...item, apiVersion, kind })) as KubeObject;
        result.set(`${kind}/${object.metadata.name}`, object);
      }
    }
    return result;
  }

  /** Ports of the egress gateway Service that carry traffic: those held in quarantine after a deletion are left out. */
  async gatewayPorts(): Promise<number[]> {
    return (await this.gatewayServicePorts()).filter((p) => !p.name.startsWith('tcp-freed-')).map((p) => p.port);
  }

  /** Every port of the egress gateway Service, with its name, by port number. */
  async gatewayServicePorts(): Promise<Array<{ port: number; name: string }>> {
    const service = await this.api.read({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace: this.namespace },
    });
    const ports = (JSON.parse(JSON.stringify(service)) as { spec: { ports: Array<{ port: number; name: string }> } })
      .spec.ports;
    return ports.sort((a, b) => a.port - b.port);
  }

  async create(object: KubeObject): Promise<void> {
    await this.api.create(object);
  }
}
