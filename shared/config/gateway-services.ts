import type { MeshSettings } from './settings.js';

/**
 * Which Service holds a gateway port. One Service cannot hold them all: a server-side apply of its port list is
 * refused past about 5,000 ports with long names (the admission policy's CEL cost budget) and about 10,000 with short
 * ones (etcd's request size), and every write of it costs the apiserver in proportion to its length. So the range is
 * cut into blocks of GATEWAY_PORTS_PER_SERVICE ports by a fixed rule on the port number: the first block is on the
 * egress gateway Service the Istio installer made, each later block k on a Service of this deployment's own,
 * `<egress gateway Service>-ports-<the block's first port>`, selecting the same gateway pods (named by port, not by
 * index, so deployments sharing the egress gateway with ranges of their own never name the same Service). A port
 * never changes block, so the allocator's guarantees hold per number whatever Service a port is on, and two writers
 * handing out one port write one Service.
 */
export type PortServiceSettings = Pick<MeshSettings, 'egressGateway' | 'gatewayPortRange'>;

/** A range cut into blocks of `perService` ports (unset: the range is one block), as the allocator sees it. */
export interface PortBlocks {
  readonly from: number;
  readonly to: number;
  readonly perService?: number | undefined;
  /**
   * The blocks whose Service was read, when an event read only some (reconcile/read-cluster.ts): no port is handed out
   * in another, whose taken ports are not known. Unset: every block was read.
   */
  readonly read?: readonly number[] | undefined;
}

export const portBlocksOf = (settings: PortServiceSettings): PortBlocks => ({
  ...settings.gatewayPortRange,
  perService: settings.egressGateway.portsPerService,
});

/** The block a port of the range is in; a port below the range counts as the first block's. */
export function blockOf(blocks: PortBlocks, port: number): number {
  return blocks.perService === undefined ? 0 : Math.max(0, Math.floor((port - blocks.from) / blocks.perService));
}

/** How many ports block k holds: the last block may be short. */
export function blockCapacity(blocks: PortBlocks, block: number): number {
  const size = blocks.to - blocks.from + 1;
  const per = Math.min(blocks.perService ?? size, size);
  return Math.max(0, Math.min(per, size - block * per));
}

/**
 * The label on each Service of ours saying whether its block has no free port (`true`/`false`), written with its
 * ports. An event placing a new instance asks for one Service without it set to `true` (read-cluster.ts) instead of
 * reading every block: reads stay one or two Services whatever the number of instances.
 */
export const LABEL_PORTS_FULL = 'memorystore-egress-sync/ports-full';

/** The same, from the settings. */
export const portBlock = (settings: PortServiceSettings, port: number): number => blockOf(portBlocksOf(settings), port);

/** The name of block k's Service. */
export function blockServiceName(settings: PortServiceSettings, block: number): string {
  if (block === 0) return settings.egressGateway.service;
  const first = settings.gatewayPortRange.from + block * (settings.egressGateway.portsPerService ?? 0);
  return `${settings.egressGateway.service}-ports-${first}`;
}

/** The Service a gateway port of the range is on. */
export function portServiceName(settings: PortServiceSettings, port: number): string {
  return blockServiceName(settings, portBlock(settings, port));
}

/** The mesh host of that Service: where a sidecar sends an endpoint's traffic for the gateway. */
export function portServiceHost(settings: PortServiceSettings, port: number): string {
  return `${portServiceName(settings, port)}.${settings.egressGateway.namespace}.svc.cluster.local`;
}

/** How many blocks the range has: one Service each. */
export function blockCount(settings: PortServiceSettings): number {
  const { from, to } = settings.gatewayPortRange;
  const per = settings.egressGateway.portsPerService;
  return per === undefined ? 1 : Math.ceil((to - from + 1) / per);
}

/**
 * The most Services of its own a deployment may have. Their names are listed in the RBAC Role (resourceNames) and in
 * the admission policy's CEL expressions, and the apiserver refuses an expression past 100,000 characters ("expression
 * code point size exceeds limit"): 3,276 names of 31 characters were refused, 1,000 of 63 are admitted
 * (test/integration/port-services-limit.test.ts).
 */
export const MAX_PORT_SERVICES = 1000;

/** The Services of this deployment's own, one per block after the first: every name it may create, read or delete. */
export function ownPortServiceNames(settings: PortServiceSettings): string[] {
  return Array.from({ length: blockCount(settings) - 1 }, (_, k) => blockServiceName(settings, k + 1));
}
