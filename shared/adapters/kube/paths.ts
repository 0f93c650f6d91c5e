import type { KubeObject, ObjectRef } from '../../model/k8s-object.js';

/** Plural resource names of the kinds we touch; a fixed set, so no discovery request is needed. */
const PLURALS: Readonly<Record<string, string>> = {
  Service: 'services',
  ServiceEntry: 'serviceentries',
  Gateway: 'gateways',
  DestinationRule: 'destinationrules',
  VirtualService: 'virtualservices',
  AuthorizationPolicy: 'authorizationpolicies',
  MemorystoreAccess: 'memorystoreaccesses',
};

/**
 * `/api/v1/namespaces/N/services/NAME` or `/apis/GROUP/VERSION/namespaces/N/PLURAL/NAME` (NAME empty: the collection;
 * namespace empty: the collection across every namespace, `/apis/GROUP/VERSION/PLURAL`).
 */
export function objectPath(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  const plural = PLURALS[ref.kind];
  if (!plural) throw new Error(`internal: no resource path for kind ${ref.kind}`);
  const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  if (ref.namespace === '') return `${root}/${plural}${name}`;
  return `${root}/namespaces/${encodeURIComponent(ref.namespace)}/${plural}${name}`;
}

/**
 * The parts of an object the planner reads, as plain JSON: managedFields, status and the rest of the server's
 * metadata are dropped on read, which keeps a list of thousands of objects small in memory.
 */
export function plainObject(json: unknown, type: Pick<ObjectRef, 'apiVersion' | 'kind'>): KubeObject {
  const object = json as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  const metadata = object.metadata ?? {};
  const { labels, annotations, resourceVersion } = metadata as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  // JSON from the apiserver, as the kind whose path was asked: its schema checked the types of what the spec holds.
  return {
    apiVersion: type.apiVersion,
    kind: type.kind,
    metadata: {
      name: String(metadata['name']),
      namespace: String(metadata['namespace']),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: object.spec ?? {},
  } as KubeObject;
}
