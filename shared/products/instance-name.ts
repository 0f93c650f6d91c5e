import { PRODUCT_INFO, PRODUCTS, type Product } from './registry.js';

/**
 * An instance's identity, parsed: the one type the core passes around. Its `full` form is the same identity as a
 * string, used where a value must compare equal (Map and Set keys: JavaScript compares objects by reference) or
 * leave the process (annotations, audit records, logs); parseInstanceName turns it back into this.
 */
export interface InstanceName {
  /** The identity, as MemorystoreInstance.name. */
  readonly full: string;
  readonly product: Product;
  readonly project: string;
  readonly location: string;
  readonly id: string;
}

// https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances (and the same pattern
// in the other products' APIs); the collection is the product's own (`instances`, `clusters`).
const RELATIVE_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** The identity of an instance of `product` named by its relative name, if the id follows that product's rules. */
export function instanceNamed(product: Product, relativeName: string): InstanceName | undefined {
  const match = RELATIVE_NAME.exec(relativeName);
  const info = PRODUCT_INFO[product];
  if (!match?.[1] || !match[2] || match[3] !== info.collection || !match[4] || !info.instanceId.test(match[4]))
    return undefined;
  return {
    full: `${info.identityPrefix}${relativeName}`,
    product,
    project: match[1],
    location: match[2],
    id: match[4],
  };
}

/** Products by the length of their identity prefix, longest first: Redis, whose prefix is empty, last. */
const BY_PREFIX_LENGTH = [...PRODUCTS].sort(
  (a, b) => PRODUCT_INFO[b].identityPrefix.length - PRODUCT_INFO[a].identityPrefix.length,
);

/** Parses an identity back (from an annotation, a listing): the product follows from its prefix. */
export function parseInstanceName(value: string): InstanceName | undefined {
  const product = BY_PREFIX_LENGTH.find((p) => value.startsWith(PRODUCT_INFO[p].identityPrefix));
  return product ? instanceNamed(product, value.slice(PRODUCT_INFO[product].identityPrefix.length)) : undefined;
}

/** The relative name the product's own API knows the instance by. */
export function relativeNameOf(name: InstanceName): string {
  return name.full.slice(PRODUCT_INFO[name.product].identityPrefix.length);
}

/** The instance itself as the object of a record: a skip or a failure that concerns no Kubernetes object. */
export function instanceObjectRef(full: string): { apiVersion: string; kind: string; namespace: string; name: string } {
  const product = parseInstanceName(full)?.product ?? 'redis';
  return { apiVersion: `${PRODUCT_INFO[product].serviceName}/v1`, kind: 'Instance', namespace: '', name: full };
}
