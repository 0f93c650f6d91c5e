/** Kubernetes objects as plain data, and the labels and annotations that mark the ones this project owns. */
import type { Live, SpecOf } from './istio-specs.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
}

/** An object of one kind, its spec typed by that kind. */
export interface ObjectOf<K extends string, S> {
  readonly apiVersion: string;
  readonly kind: K;
  readonly metadata: ObjectMeta;
  readonly spec: S;
}

/** The egress gateway Service's spec: our ports are what this project writes of it (server-side apply). */
export type ServiceSpec = {
  readonly ports?: readonly {
    readonly name?: string;
    readonly port: number;
    readonly targetPort?: number;
    readonly protocol?: string;
  }[];
  readonly [field: string]: unknown;
};

/**
 * An object this project reads or writes, told apart by its kind: a ServiceEntry's spec is a ServiceEntry spec. Read
 * from the apiserver, an Istio object may have been edited by anyone, so every field of its spec may be absent (the
 * CRD schema checked the types of what is there).
 */
export type KubeObject = { readonly [K in SpecKind]: LiveObject<K> }[SpecKind] | ObjectOf<'Service', ServiceSpec>;

/** An Istio object of one kind as read from the apiserver. */
export type LiveObject<K extends SpecKind> = ObjectOf<K, Live<SpecOf[K]>>;

/** The object, if it is of that kind: narrowed to it, its spec typed by it. */
export const isKind = <K extends SpecKind>(
  object: KubeObject | undefined,
  kind: K,
): object is KubeObject & LiveObject<K> => object?.kind === kind;

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const ISTIO_API_VERSION = 'networking.istio.io/v1';
export const ISTIO_KINDS = ['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService'] as const;
export type IstioKind = (typeof ISTIO_KINDS)[number];
/** ACCESS_MODE=declared adds one policy per instance on the egress gateway, from Istio's security API. */
export const SECURITY_API_VERSION = 'security.istio.io/v1';
export const AUTHORIZATION_POLICY = 'AuthorizationPolicy';
/** The Istio kinds whose spec this project types: the routing kinds and the security policy. */
export type SpecKind = IstioKind | typeof AUTHORIZATION_POLICY;
/** Every kind of object an instance may have, with its API version. */
export const INSTANCE_KINDS: readonly { readonly apiVersion: string; readonly kind: string }[] = [
  ...ISTIO_KINDS.map((kind) => ({ apiVersion: ISTIO_API_VERSION, kind })),
  { apiVersion: SECURITY_API_VERSION, kind: AUTHORIZATION_POLICY },
];

/**
 * The app's name: the value of the managed-by label, and the prefix of its own labels, annotations and field manager.
 */
export const APP_NAME = 'memorystore-egress-sync';
/**
 * Field manager of our writes, per deployment: server-side apply then keeps each deployment's egress gateway Service
 * ports apart, so one never removes another's.
 */
export const fieldManager = (ownerId: string): string => `${APP_NAME}/${ownerId}`;
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_OWNER = `${APP_NAME}/owner`;
export const LABEL_INSTANCE = `${APP_NAME}/instance`;
export const ANNOTATION_INSTANCE_NAME = `${APP_NAME}/instance-name`;
export const ANNOTATION_LAST_CHANGE_ID = `${APP_NAME}/last-change-id`;
export const ANNOTATION_LAST_CHANGE_TIME = `${APP_NAME}/last-change-time`;

export function refOf(object: {
  apiVersion: string;
  kind: string;
  metadata: { namespace: string; name: string };
}): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  };
}

export function refKey(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Owned means: our managed-by label and this deployment's owner id. Anything else is foreign and never touched. */
export function isOwned(object: KubeObject, ownerId: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[LABEL_MANAGED_BY] === APP_NAME && labels[LABEL_OWNER] === ownerId;
}

export function instanceNameOf(object: KubeObject): string | undefined {
  return object.metadata.annotations?.[ANNOTATION_INSTANCE_NAME];
}
