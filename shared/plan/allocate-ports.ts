import { type EndpointRole } from '../model/instance.js';
import { parseInstanceName, type InstanceName } from '../products/instance-name.js';
import { liveSpec } from '../model/istio-specs.js';
import { instanceNameOf, LABEL_INSTANCE, type KubeObject } from '../model/k8s-object.js';
import { instanceKey } from '../render/names.js';
import { parseGatewayServerName, parseServicePortName, roleCode } from '../render/port-names.js';
import type { ServicePort } from './service-ports.js';
import { blockCapacity, blockOf, type PortBlocks } from '../config/gateway-services.js';

/**
 * A gateway port given to one endpoint of an instance. The endpoint is known by its role's code: the one thing both
 * Gateway servers and Service port names tell.
 */
export interface Allocation {
  readonly instance: InstanceName;
  readonly code: string;
  readonly port: number;
}

/** Allocations by endpoint (allocationKey), so each endpoint holds at most one port. */
export type Allocations = Map<string, Allocation>;

export const allocationKey = (instance: InstanceName, role: EndpointRole): string => codeKey(instance, roleCode(role));
const codeKey = (instance: InstanceName, code: string): string => `${instance.full}#${code}`;

function allocate(allocations: Allocations, instance: InstanceName, code: string, port: number): void {
  allocations.set(codeKey(instance, code), { instance, code, port });
}

/**
 * Gateway ports already given out, read back from the live objects: that is what keeps them stable. Our Service port
 * names say it first: a port named for an endpoint is the one its traffic arrives on, and the one it must keep (given
 * another, the apiserver would refuse a second port of the same name, 422). A name carries the instance's key, not
 * its name: the key is known from the live objects' labels and from `scope`, the instances the plan covers, so a port
 * whose objects were all deleted (by hand, or a removal half done) is still adopted by its instance. The Gateway's
 * servers say it for an endpoint with no port of its name, and only for a port no one else holds: a port that an
 * earlier allocator left to two instances stays with the one the Service names, and the other moves.
 */
export function liveAllocations(
  owned: readonly KubeObject[],
  servicePorts: readonly ServicePort[] = [],
  scope: readonly InstanceName[] = [],
): Allocations {
  const allocations = servicePortAllocations(owned, servicePorts, scope);
  const taken = new Set([...allocations.values()].map((a) => a.port));
  for (const [key, claim] of gatewayAllocations(owned)) {
    if (allocations.has(key) || taken.has(claim.port)) continue;
    allocations.set(key, claim);
    taken.add(claim.port);
  }
  return allocations;
}

/** The endpoints our Service port names name, where the instance the name's key stands for is known. */
function servicePortAllocations(
  owned: readonly KubeObject[],
  servicePorts: readonly ServicePort[],
  scope: readonly InstanceName[],
): Allocations {
  const allocations: Allocations = new Map();
  const taken = new Set<number>();
  // Identities are parsed only for the ports that need one: a resync of thousands of instances reads them all.
  const liveByKey = new Map(owned.map((o) => [o.metadata.labels?.[LABEL_INSTANCE], instanceNameOf(o)]));
  let scopeByKey: Map<string, InstanceName> | undefined;
  const instanceByKey = (key: string): InstanceName | undefined => {
    const name = liveByKey.get(key);
    if (name !== undefined) return parseInstanceName(name);
    return (scopeByKey ??= new Map(scope.map((n) => [instanceKey(n), n]))).get(key);
  };
  for (const port of servicePorts) {
    const parsed = parseServicePortName(port.name);
    const instance = parsed ? instanceByKey(parsed.key) : undefined;
    if (!parsed || !instance || taken.has(port.port) || allocations.has(codeKey(instance, parsed.code))) continue;
    allocate(allocations, instance, parsed.code, port.port);
    taken.add(port.port);
  }
  return allocations;
}

const ownerOf = (object: KubeObject): InstanceName | undefined => {
  const name = instanceNameOf(object);
  return name === undefined ? undefined : parseInstanceName(name);
};

/** A live Gateway server's endpoint role and port, if it is one of ours and whole. */
function serverAllocation(
  port: { readonly name?: string; readonly number?: number } | undefined,
): { role: EndpointRole; port: number } | undefined {
  const role = port?.name === undefined ? undefined : parseGatewayServerName(port.name);
  return role && typeof port?.number === 'number' ? { role, port: port.number } : undefined;
}

function gatewayAllocations(owned: readonly KubeObject[]): Allocations {
  const allocations: Allocations = new Map();
  for (const gateway of owned.filter((o) => o.kind === 'Gateway')) {
    const instance = ownerOf(gateway);
    for (const server of liveSpec(gateway, 'Gateway')?.servers ?? []) {
      const found = serverAllocation(server.port);
      if (instance && found) allocate(allocations, instance, roleCode(found.role), found.port);
    }
  }
  return allocations;
}

export interface PortRequest {
  readonly instance: InstanceName;
  readonly role: EndpointRole;
}

/** The range's blocks (config/gateway-services.ts): an instance's gateway ports are all in one, so on one Service. */
export type PortRange = PortBlocks;

/** Free ports per block, and the lowest one of each, kept as ports are taken. */
class BlockFreeList {
  private readonly free: number[];
  private readonly next: number[];
  private readonly read: ReadonlySet<number> | undefined;
  constructor(
    range: PortRange,
    private readonly taken: Set<number>,
  ) {
    const size = range.to - range.from + 1;
    const per = Math.min(range.perService ?? size, size);
    this.next = Array.from({ length: Math.ceil(size / per) }, (_, k) => range.from + k * per);
    this.free = this.next.map((_, k) => blockCapacity(range, k));
    this.read = range.read && new Set(range.read);
    for (const port of taken) if (port >= range.from && port <= range.to) this.free[blockOf(range, port)]!--;
  }

  /**
   * The first block with room for `needs` ports, among `candidates` (every block when none are given), and only among
   * blocks whose Service was read.
   */
  blockFor(needs: number, candidates?: readonly number[]): number | undefined {
    const blocks = candidates ?? this.free.keys();
    for (const block of blocks)
      if ((this.free[block] ?? 0) >= needs && (this.read === undefined || this.read.has(block))) return block;
    return undefined;
  }

  /** Takes the lowest free port of a block that has one. */
  take(block: number): number {
    let port = this.next[block]!;
    while (this.taken.has(port)) port++;
    this.taken.add(port);
    this.next[block] = port + 1;
    this.free[block]!--;
    return port;
  }
}

/**
 * The requests whose live port stays theirs, and those that wait for a new one: with no live port, one held by
 * another, or one outside the block of the instance's other ports (given up, and so not handed to anyone else here).
 * `taken` gains every port kept or given up.
 */
function keepLivePorts(
  requests: readonly PortRequest[],
  live: ReadonlyMap<string, Allocation>,
  taken: Set<number>,
  range: PortRange,
): { allocations: Allocations; pending: Map<string, PortRequest[]>; home: Map<string, number> } {
  const allocations: Allocations = new Map();
  const pending = new Map<string, PortRequest[]>();
  const home = new Map<string, number>();
  const wait = (request: PortRequest): void => {
    pending.set(request.instance.full, [...(pending.get(request.instance.full) ?? []), request]);
  };
  for (const request of requests) {
    const port = live.get(allocationKey(request.instance, request.role))?.port;
    if (port === undefined || taken.has(port)) {
      wait(request);
      continue;
    }
    taken.add(port);
    if (port >= range.from && port <= range.to) {
      const stays = home.get(request.instance.full) ?? blockOf(range, port);
      home.set(request.instance.full, stays);
      if (blockOf(range, port) !== stays) {
        wait(request);
        continue;
      }
    }
    allocate(allocations, request.instance, roleCode(request.role), port);
  }
  return { allocations, pending, home };
}

/**
 * Gives each requested endpoint a gateway port: its live one if it has one that nobody else holds, else the lowest
 * free port of the first block that has room for all the instance's new ports. `reserved` are ports held by anything
 * outside the requests (foreign Service ports, ports of instances out of scope, ports being freed in this same plan),
 * which are never handed out.
 * An instance gets all the new ports it needs or none: one whose needs do not all fit is refused whole (its requests
 * are returned as exhausted; `inFullBlock` names those another block had room for) and keeps what it has, so the
 * ports it could have filled part of its needs with go to the next instance instead, and it is never left routing
 * half its endpoints.
 * All of an instance's ports are in one block, so on one Service, and one DestinationRule holds its subsets: new ports
 * go to the block of the ports it keeps, and a live port in another block (given before the range had blocks) is
 * given up for one in that block, as a port held twice is.
 * With `range.read` set (an event read only some blocks), ports are handed out in those blocks only; an instance
 * refused then may fit in a block not read, and the caller reads every block and plans again (reconcile/sync.ts).
 */
export function allocatePorts(
  requests: readonly PortRequest[],
  live: ReadonlyMap<string, Allocation>,
  reserved: ReadonlySet<number>,
  range: PortRange,
): { allocations: Allocations; exhausted: PortRequest[]; inFullBlock: Set<string> } {
  const taken = new Set(reserved);
  const { allocations, pending, home } = keepLivePorts(requests, live, taken, range);
  const blocks = new BlockFreeList(range, taken);
  const exhausted: PortRequest[] = [];
  const inFullBlock = new Set<string>();
  for (const [instance, needs] of pending) {
    const kept = home.get(instance);
    const block = blocks.blockFor(needs.length, kept === undefined ? undefined : [kept]);
    if (block === undefined) {
      exhausted.push(...needs);
      if (kept !== undefined && blocks.blockFor(needs.length) !== undefined) inFullBlock.add(instance);
      continue;
    }
    for (const request of needs) allocate(allocations, request.instance, roleCode(request.role), blocks.take(block));
  }
  return { allocations, exhausted, inFullBlock };
}
