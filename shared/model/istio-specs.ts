import { isKind, type SpecKind, type KubeObject } from './k8s-object.js';

/**
 * The specs of the four Istio kinds, as far as this project writes them (networking.istio.io/v1). Type literals, not
 * interfaces: only literals can stand where a KubeObject's spec (a record) is wanted.
 * https://istio.io/latest/docs/reference/config/networking/
 */
export type PortSpec = {
  readonly number: number;
  readonly name: string;
  /** `TLS` only on a Gateway server that terminates Istio mutual TLS (ACCESS_MODE=declared). */
  readonly protocol: 'TCP' | 'TLS';
};

/** Istio mutual TLS: the workload certificates of the mesh, so the receiving proxy knows who is calling. */
export type IstioMutual = { readonly mode: 'ISTIO_MUTUAL' };

/**
 * `STATIC`: connections go to the listed endpoints (one instance endpoint each). `NONE`: to the address the client
 * connected to (a sharded target's node ports, where the shard map, not the ServiceEntry, says which address is
 * which node); Istio's CRD forbids endpoints with it.
 */
export type ServiceEntrySpec = {
  readonly hosts: readonly string[];
  readonly addresses: readonly string[];
  readonly ports: readonly PortSpec[];
  readonly location: 'MESH_EXTERNAL';
  readonly exportTo: readonly string[];
} & (
  | { readonly resolution: 'STATIC'; readonly endpoints: readonly { readonly address: string }[] }
  | { readonly resolution: 'NONE' }
);

export type GatewayServer = {
  readonly port: PortSpec;
  readonly hosts: readonly string[];
  readonly tls?: IstioMutual;
};

export type GatewaySpec = {
  readonly selector: Readonly<Record<string, string>>;
  readonly servers: readonly GatewayServer[];
};

export type DestinationRuleSpec = {
  readonly host: string;
  readonly subsets: readonly {
    readonly name: string;
    readonly trafficPolicy?: { readonly tls: IstioMutual & { readonly sni: string } };
  }[];
  readonly exportTo?: readonly string[];
};

export type TcpMatch = {
  readonly gateways: readonly string[];
  readonly destinationSubnets?: readonly string[];
  readonly port: number;
};

export type TcpRoute = {
  readonly match: readonly TcpMatch[];
  readonly route: readonly {
    readonly destination: {
      readonly host: string;
      readonly subset?: string;
      readonly port: { readonly number: number };
    };
  }[];
};

export type VirtualServiceSpec = {
  readonly hosts: readonly string[];
  readonly gateways: readonly string[];
  readonly tcp: readonly TcpRoute[];
  readonly exportTo?: readonly string[];
};

/**
 * security.istio.io/v1 AuthorizationPolicy, as far as this project writes it. Egress-gateway mode: a DENY on the egress
 * gateway workload for one instance's gateway ports (render-access.ts). Ambient mode: an ALLOW attached to the
 * instance's ServiceEntries, which their waypoint enforces (render-ambient.ts). Ports are strings in Istio's API.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export type GatewayPolicySpec = {
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly action: 'DENY';
  readonly rules: readonly {
    readonly from?: readonly {
      readonly source: { readonly notPrincipals?: readonly string[]; readonly notNamespaces?: readonly string[] };
    }[];
    readonly to: readonly { readonly operation: { readonly ports: readonly string[] } }[];
  }[];
};

export type WaypointPolicySpec = {
  readonly targetRefs: readonly { readonly group: string; readonly kind: string; readonly name: string }[];
  readonly action: 'ALLOW';
  /** Absent: the policy allows nothing, and so denies every caller of its targets. */
  readonly rules?: readonly {
    readonly from: readonly {
      readonly source: { readonly principals?: readonly string[]; readonly namespaces?: readonly string[] };
    }[];
    readonly to: readonly { readonly operation: { readonly ports: readonly string[] } }[];
  }[];
};

export type AuthorizationPolicySpec = GatewayPolicySpec | WaypointPolicySpec;

export type SpecOf = {
  readonly ServiceEntry: ServiceEntrySpec;
  readonly Gateway: GatewaySpec;
  readonly DestinationRule: DestinationRuleSpec;
  readonly VirtualService: VirtualServiceSpec;
  readonly AuthorizationPolicy: AuthorizationPolicySpec;
};

/**
 * What a live object may hold, whoever last wrote it: every field optional, all the way down, any text where we write
 * one value (a foreign ServiceEntry may resolve by DNS, a port speak TLS), and whatever fields other writers added.
 */
export type Live<T> = T extends string
  ? string
  : T extends readonly (infer E)[]
    ? readonly Live<E>[]
    : T extends object
      ? { readonly [K in keyof T]?: Live<T[K]> } & { readonly [field: string]: unknown }
      : T;

/**
 * A live object's spec, if the object is of that kind, with every field optional: objects come from the apiserver and
 * may have been edited by anyone, so callers treat each field as possibly absent.
 */
export function liveSpec<K extends SpecKind>(object: KubeObject | undefined, kind: K): Live<SpecOf[K]> | undefined {
  return isKind(object, kind) ? object.spec : undefined;
}
