import type { AuditOutbox } from '../audit/audit-outbox.js';
import type { AccessDeclaration } from '../model/access.js';
import type { KubeObject, ObjectRef } from '../model/k8s-object.js';
import type { GatewayServiceState } from '../plan/service-ports.js';

/** The cluster, as the reconciler needs it. The real one is `KubeClusterStore`; tests may use another. */
export interface ClusterStore {
  /**
   * Every Istio object of the four kinds in the namespace (those matching the label selector, if one is given), read
   * to the last page. A read that cannot be completed throws: a partial answer must never look like a short one.
   * `kinds`: only these kinds (default: every kind an instance may have).
   */
  listIstio(namespace: string, labelSelector?: string, kinds?: readonly string[]): Promise<KubeObject[]>;
  /** The object of that name, owned or not; undefined if there is none. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  readGatewayService(namespace: string, name: string): Promise<GatewayServiceState>;
  /**
   * The Services of this deployment's own that hold later blocks of gateway ports (config/gateway-services.ts), by
   * label selector, read to the last page (or only the first `limit`); all their ports are ours. They are written like
   * our other objects (create, replace, delete).
   */
  listPortServices?(namespace: string, labelSelector: string, limit?: number): Promise<GatewayServiceState[]>;
  /** One Service of ours holding a block of gateway ports, by name; undefined if there is none. */
  readPortService?(namespace: string, name: string): Promise<GatewayServiceState | undefined>;
  create(object: KubeObject): Promise<KubeObject>;
  /** Replaces the object; fails with WriteConflictError if its resourceVersion is no longer current. */
  replace(object: KubeObject): Promise<KubeObject>;
  /** Deletes the object if it is still the version we planned against. */
  delete(object: KubeObject): Promise<void>;
  /**
   * Server-side apply of our ports on the egress gateway Service, under our own field manager; fails with
   * WriteConflictError if the body's resourceVersion is no longer current. Returns the new resourceVersion.
   */
  applyServicePorts(body: KubeObject): Promise<string | undefined>;
  /**
   * Every MemorystoreAccess declaration in every namespace, read to the last page (ACCESS_MODE=declared only). A
   * declaration whose spec is not one the CRD admits is left out and named in `malformed`.
   */
  listAccessDeclarations?(): Promise<{ declarations: AccessDeclaration[]; malformed: string[] }>;
  /** Where audit records that could not be published wait for a later invocation (audit-outbox.ts); none if absent. */
  auditOutbox?(): AuditOutbox | undefined;
}
