import type { LabelRequirement } from './label-selector.js';

/**
 * Least access (ACCESS_MODE=declared): a workload's owners declare, in their own namespace, which Memorystore
 * instances it uses; the mesh then lets only the declared callers reach each instance. This module is the contract
 * between the side that reads declarations (the MemorystoreAccess custom resource) and the side that renders what the
 * mesh enforces (exportTo, Istio mutual TLS to the egress gateway, an AuthorizationPolicy per instance).
 */

/** `open`: every namespace the ServiceEntries are exported to may reach every instance (the behaviour before). */
export const ACCESS_MODES = ['open', 'declared'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** The custom resource a declaration is written as. Namespaced: a declaration speaks for its own namespace only. */
export const ACCESS_GROUP = 'memorystore-egress-sync.io';
export const ACCESS_VERSION = 'v1alpha1';
export const ACCESS_KIND = 'MemorystoreAccess';
export const ACCESS_PLURAL = 'memorystoreaccesses';

/** One declaration, as read from the cluster. */
export interface AccessDeclaration {
  readonly namespace: string;
  readonly name: string;
  /** Instances by identity: the value of the instance-name annotation our objects carry. */
  readonly instances: readonly string[];
  /** Instances by their Memorystore labels; empty means none by labels. */
  readonly selector: readonly LabelRequirement[];
  /** Kubernetes service accounts of the namespace that may reach them; empty means the whole namespace. */
  readonly serviceAccounts: readonly string[];
}

/** Who may reach one instance, resolved from every declaration naming it. */
export interface InstanceAccess {
  /** Namespaces every workload of which may reach it (a declaration without service accounts). */
  readonly namespaces: readonly string[];
  /** Istio principals (`<trust domain>/ns/<namespace>/sa/<service account>`) that may reach it. */
  readonly principals: readonly string[];
  /** The declarations that grant it, as `namespace/name`, for records and `explain`. */
  readonly declaredBy: readonly string[];
}

/** No declaration names the instance: in declared mode, nobody in the mesh may reach it. */
export const NO_ACCESS: InstanceAccess = { namespaces: [], principals: [], declaredBy: [] };

/** The namespaces that may see an instance's routes: the ones with a declaration naming it, each once, sorted. */
export function accessNamespaces(access: InstanceAccess): string[] {
  const fromPrincipals = access.principals.map((p) => /\/ns\/([^/]+)\/sa\//.exec(p)?.[1]).filter((n) => n);
  return [...new Set([...access.namespaces, ...(fromPrincipals as string[])])].sort();
}

/**
 * Written on each ServiceEntry of an instance in declared mode: the access it was rendered with, as canonical JSON
 * (`encodeAccess`). Records diff it to say which principals were added or removed, and `explain` reads who may reach
 * an instance from the cluster itself. In open mode the annotation is absent.
 */
export const ANNOTATION_ACCESS = 'memorystore-egress-sync/access';

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

export function encodeAccess(access: InstanceAccess): string {
  return JSON.stringify({
    namespaces: sortedUnique(access.namespaces),
    principals: sortedUnique(access.principals),
    declaredBy: sortedUnique(access.declaredBy),
  });
}

/** The access an annotation holds, or undefined when it is absent or not ours to read. */
export function decodeAccess(text: string | undefined): InstanceAccess | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    const list = (key: string): string[] | undefined => {
      const field = (value as Record<string, unknown>)[key];
      return Array.isArray(field) && field.every((v) => typeof v === 'string') ? field : undefined;
    };
    const namespaces = list('namespaces');
    const principals = list('principals');
    const declaredBy = list('declaredBy');
    return namespaces && principals && declaredBy ? { namespaces, principals, declaredBy } : undefined;
  } catch {
    return undefined;
  }
}
