import type { NodePorts, PortRange } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import type { KubeObject } from '../model/k8s-object.js';
import { cidr, istioObject, metadata } from './istio-object.js';
import { nodePortName, nodePortsEntryName, nodePortsHost } from './names.js';
import type { RenderSettings } from './render-settings.js';
import type { InstanceAccess } from '../model/access.js';
import { narrowedEntry } from './render-access.js';

/**
 * Ports per ServiceEntry. Istio has no port ranges, so a range is split into blocks. Its CRD allows at most 256 ports
 * (`spec.ports` has `maxItems: 256` in manifests/charts/base/files/crd-all.gen.yaml of the pinned Istio) and checks
 * that no number repeats with a CEL rule that compares every port with every other
 * (`self.all(l1, self.exists_one(l2, l1.number == l2.number))`), so the apiserver's work per write grows with the
 * square of the block: one write of 256 ports took 0.7-2 s on the test apiserver. Writing all of 11000-13047 took
 * 6.8-15 s in blocks of 256, 3.6-7.4 s in blocks of 128 and 1.5-3.3 s in blocks of 64 (`npm run bench:node-ports`,
 * a loaded 2-core machine): 64 it is, for 32 objects per target. What sidecars get (a listener per address and
 * port, a cluster per port) does not depend on it.
 */
export const NODE_PORTS_PER_ENTRY = 64;
/** The most ports Istio's CRD lets one ServiceEntry have. */
export const ISTIO_MAX_PORTS_PER_ENTRY = 256;

/**
 * Consecutive blocks of at most `size` ports (and never more than the CRD allows) that cover `range` exactly, in order.
 */
export function splitPortRange(range: PortRange, size: number = NODE_PORTS_PER_ENTRY): PortRange[] {
  const step = Math.max(1, Math.min(size, ISTIO_MAX_PORTS_PER_ENTRY));
  const blocks: PortRange[] = [];
  for (let from = range.from; from <= range.to; from += step)
    blocks.push({ from, to: Math.min(from + step - 1, range.to) });
  return blocks;
}

/**
 * One block of node ports on every address of the target. Resolution NONE: the sidecar passes a connection on to the
 * address the client dialled (an ORIGINAL_DST cluster), since the shard map, not the ServiceEntry, knows which node
 * answers where; STATIC with endpoints would spread one node's connections over every address.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
function renderBlock(
  instance: InstanceName,
  nodePorts: NodePorts,
  block: PortRange,
  settings: RenderSettings,
): KubeObject {
  const ports = Array.from({ length: block.to - block.from + 1 }, (_, i) => block.from + i);
  return istioObject('ServiceEntry', metadata(instance, nodePortsEntryName(instance, block.from), settings), {
    hosts: [nodePortsHost(instance, block.from, settings.hostSuffix)],
    addresses: nodePorts.addresses.map(cidr),
    ports: ports.map((number) => ({ number, name: nodePortName(instance, number), protocol: 'TCP' })),
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
    exportTo: [...settings.exportTo],
  });
}

/**
 * SHARDED_NODE_PORTS, `direct` and `ambient` mode: the ServiceEntries that let a sharded target's clients follow the
 * shard map to its nodes (under REGISTRY_ONLY; in ambient mode through the waypoint). None when the option is off or
 * no node address is known yet. With `access` (declared, direct mode) exported and annotated like the instance's other
 * ServiceEntries.
 */
export function renderNodePorts(
  instance: InstanceName,
  nodePorts: NodePorts | undefined,
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject[] {
  if (!settings.shardedNodePorts || settings.mode === 'egress-gateway' || !nodePorts) return [];
  const entries = splitPortRange(nodePorts.range).map((block) => renderBlock(instance, nodePorts, block, settings));
  return access ? entries.map((entry) => narrowedEntry(entry, access, settings)) : entries;
}
