import { readFileSync } from 'node:fs';
import { ApiextensionsV1Api, KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { loadKubeconfig } from './kubeconfig.js';

/** Creates every CRD of the bundle and waits until each is Established (served, schema and CEL in force). */
export async function installCrds(kubeconfigPath: string, bundlePath: string): Promise<void> {
  const kubeConfig = loadKubeconfig(kubeconfigPath);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  // The client serializes known kinds through its typed models, so the YAML is loaded into those models first;
  // as plain JSON, schema keys such as `x-kubernetes-int-or-string` would be dropped on the way out.
  const crds = (loadAllYaml(readFileSync(bundlePath, 'utf8')) as Array<KubernetesObject | null>).filter((doc): doc is KubernetesObject => doc?.kind === 'CustomResourceDefinition');
  await Promise.all(crds.map((crd) => objects.create(crd)));
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    for (;;) {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata!.name} not Established after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
