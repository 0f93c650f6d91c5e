import {
  ApiException,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { loadKubeconfig } from './kubeconfig.js';

/**
 * The objects of a multi-document YAML text, as the Kubernetes client's typed models. Two client quirks make this
 * necessary: its loadAllYaml fails on an empty document (a leading `---`, a comment-only part), and it serializes
 * known kinds through their models, which drop any key given in wire form that differs from the model's name
 * (`x-kubernetes-int-or-string` in a CRD schema); deserializing into the models first keeps those keys.
 */
export function parseManifests(yamlText: string): KubernetesObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as unknown)
    .filter((doc): doc is KubernetesObject => typeof doc === 'object' && doc !== null && 'kind' in doc)
    .map((doc) => loadYaml<KubernetesObject>(JSON.stringify(doc)));
}

/**
 * Server-side apply of every object in the YAML text, in order, as `kubectl apply --server-side --force-conflicts`
 * would: creates what is missing, updates what exists, and takes over fields another manager held.
 */
export async function applyManifests(
  kubeconfigPath: string,
  yamlText: string,
  fieldManager = 'test-harness',
): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));
  const applied: KubernetesObject[] = [];
  for (const object of parseManifests(yamlText)) {
    applied.push(await api.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply));
  }
  return applied;
}

/**
 * Creates each object; one that exists already is left as it is (fixtures are shared by the tests of a run). Plain
 * create, not apply: the installer fixtures must carry an `Update` entry of their own manager in managedFields.
 */
export async function createAll(
  kubeconfigPath: string,
  objects: readonly KubernetesObject[],
  fieldManager?: string,
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));
  for (const object of objects) {
    try {
      await api.create(object, undefined, undefined, fieldManager);
    } catch (error) {
      if (!(error instanceof ApiException && (error as ApiException<unknown>).code === 409)) throw error;
    }
  }
}
