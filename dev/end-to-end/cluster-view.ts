import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { INSTANCE_KINDS, type KubeObject } from '../../shared/model/k8s-object.js';

export interface GatewayServiceJson {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    selector: Record<string, string>;
    ports: Array<{ name: string; port: number; targetPort?: number | string }>;
  };
}

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

  /**
   * Every port of the egress gateway Service and of the port Services beside it (the range's later blocks,
   * `istio-egressgateway-ports-<first port>`), with its name and Service, by port number.
   */
  async gatewayServicePorts(): Promise<Array<{ port: number; name: string; service: string }>> {
    const services = await this.gatewayServices();
    return services
      .flatMap((s) => s.spec.ports.map((p) => ({ port: p.port, name: p.name, service: s.metadata.name })))
      .sort((a, b) => a.port - b.port);
  }

  /** The egress gateway Service and the port Services of ours beside it, as stored. */
  async gatewayServices(): Promise<GatewayServiceJson[]> {
    const list = await this.api.list('v1', 'Service', this.namespace);
    const services = JSON.parse(JSON.stringify(list.items)) as GatewayServiceJson[];
    return services.filter((s) => /^istio-egressgateway(-ports-\d+)?$/.test(s.metadata.name));
  }

  async create(object: KubeObject): Promise<void> {
    await this.api.create(object);
  }
}
