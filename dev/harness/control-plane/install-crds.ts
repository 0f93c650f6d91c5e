import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { loadKubeconfig } from './kubeconfig.js';
import { parseManifests } from './manifests.js';

const TIMEOUT_MS = 60_000;

async function getJson(kubeConfig: KubeConfig, path: string): Promise<unknown> {
  const options: RequestOptions = { method: 'GET' };
  await kubeConfig.applyToHTTPSOptions(options);
  const url = new URL(path, kubeConfig.getCurrentCluster()!.server);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : resolve(undefined),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function poll(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every served group/version of the bundle lists its resources in discovery. */
async function waitForDiscovery(kubeConfig: KubeConfig, crds: readonly V1CustomResourceDefinition[]): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const crd of crds) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const key = `${crd.spec.group}/${version.name}`;
      wanted.set(key, (wanted.get(key) ?? new Set()).add(crd.spec.names.plural));
    }
  }
  await Promise.all(
    [...wanted].map(([groupVersion, plurals]) =>
      poll(`discovery of ${groupVersion}`, async () => {
        const list = (await getJson(kubeConfig, `/apis/${groupVersion}`)) as
          { resources?: Array<{ name: string }> } | undefined;
        const served = new Set(list?.resources?.map((r) => r.name));
        return [...plurals].every((plural) => served.has(plural));
      }),
    ),
  );
}

/**
 * Creates every CRD of the bundle and waits until each is Established (served, schema and CEL rules in force) and
 * listed in discovery: Established comes first, and a client that resolves kinds through discovery (the generic
 * object client does) would otherwise fail for a moment with "Failed to fetch resource metadata".
 */
export async function installCrds(kubeconfigPath: string, bundlePath: string): Promise<string[]> {
  const kubeConfig = loadKubeconfig(kubeconfigPath);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = parseManifests(readFileSync(bundlePath, 'utf8')).filter(
    (o) => o.kind === 'CustomResourceDefinition',
  ) as V1CustomResourceDefinition[];
  await Promise.all(crds.map((crd) => objects.create(crd)));
  await Promise.all(
    crds.map((crd) =>
      poll(`CRD ${crd.metadata!.name}`, async () => {
        const live = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
        return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      }),
    ),
  );
  await waitForDiscovery(kubeConfig, crds);
  return crds.map((crd) => crd.metadata!.name!);
}
