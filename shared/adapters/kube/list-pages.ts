import { IncompleteListError } from '../../errors.js';
import type { KubeObject } from '../../model/k8s-object.js';
import type { KubeHttp } from './kube-http.js';
import { objectPath, plainObject } from './paths.js';

export interface ListRequest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly labelSelector?: string;
  readonly pageSize: number;
  /** Only the first page: the caller wants some objects that match, not all of them. */
  readonly firstPageOnly?: boolean;
}

interface ListPage {
  readonly metadata?: { readonly continue?: string; readonly remainingItemCount?: number };
  readonly items?: readonly unknown[];
}

/**
 * Every object of a kind, following `metadata.continue` to the last page. The apiserver answers 410 Gone when a
 * continue token has expired (etcd compaction); that read is then incomplete and fails as a whole rather than
 * returning what was read so far. https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
 */
export async function listAllPages(http: KubeHttp, request: ListRequest): Promise<KubeObject[]> {
  const path = objectPath({
    apiVersion: request.apiVersion,
    kind: request.kind,
    namespace: request.namespace,
    name: '',
  }).replace(/\/$/, '');
  const items: KubeObject[] = [];
  let token: string | undefined;
  do {
    const query = { limit: String(request.pageSize), labelSelector: request.labelSelector, continue: token };
    const page = await http.send<ListPage>({ method: 'GET', path, query }).catch((error: unknown) => {
      if ((error as { status?: unknown }).status === 410)
        throw new IncompleteListError(
          `list ${request.kind}: the continue token expired after ${items.length} objects; read again`,
        );
      throw error;
    });
    if (!Array.isArray(page.items)) throw new IncompleteListError(`list ${request.kind}: the answer has no items`);
    for (const item of page.items) items.push(plainObject(item, request));
    token = page.metadata?.continue || undefined;
  } while (token && !request.firstPageOnly);
  return items;
}
