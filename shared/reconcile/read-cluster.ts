import pLimit from 'p-limit';
import {
  INSTANCE_KINDS,
  ISTIO_API_VERSION,
  isOwned,
  instanceNameOf,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_OWNER,
  APP_NAME,
  refKey,
  refOf,
  type KubeObject,
} from '../model/k8s-object.js';
import type { InstanceName } from '../products/instance-name.js';
import type { AccessDeclaration } from '../model/access.js';
import type { GatewayServiceState } from '../plan/service-ports.js';
import {
  blockOf,
  blockServiceName,
  LABEL_PORTS_FULL,
  ownPortServiceNames,
  portBlocksOf,
  type PortServiceSettings,
} from '../config/gateway-services.js';
import { liveSpec } from '../model/istio-specs.js';
import { instanceKey, objectName } from '../render/names.js';
import type { SyncDeps } from './sync-deps.js';

/**
 * What a reconcile reads of the cluster.
 * - `complete` (resync): every Istio object of the namespace, one paged list per kind; ours are `owned`, the others
 *   are looked up by name to find clashes, with no request per object.
 * - `scope` (event): only the objects of the instances in scope, by label selector (and, for one or two instances, the
 *   kinds whose names are known by name: NAMED_KINDS), so an event's cost does not grow with the number of managed
 *   instances; a clash is found by reading the few desired names that are not ours.
 */
export type ReadScope =
  { readonly kind: 'complete' } | { readonly kind: 'scope'; readonly instances: readonly InstanceName[] };

export interface ClusterRead {
  readonly view: ReadScope;
  readonly owned: readonly KubeObject[];
  /**
   * Objects that are not ours, by refKey: every one in a complete view; in a scope view, those of the names read by
   * name (`readByName`).
   */
  readonly others: ReadonlyMap<string, KubeObject>;
  /** In a scope view, the refKeys read by name: whoever holds one (ours, another's, or none) is already known. */
  readonly readByName?: ReadonlySet<string>;
  /**
   * Our ports' Services: the egress gateway Service, then each Service of ours holding a later block of the range that
   * exists (config/gateway-services.ts).
   */
  readonly services?: readonly GatewayServiceState[];
  /** The blocks whose Service was read, when an event read only some (readScopedPortServices); unset: every one. */
  readonly portBlocks?: readonly number[];
  /** ACCESS_MODE=declared: every MemorystoreAccess declaration, and those whose spec could not be read. */
  readonly declarations?: {
    readonly declarations: readonly AccessDeclaration[];
    readonly malformed: readonly string[];
  };
}

/**
 * Instances a label selector names at most. Past that the selector (`instance in (...)`, one key each) would make the
 * request URL grow with N, and one list per kind of the whole namespace reads as much for far fewer bytes of URL.
 */
const MAX_SELECTED_INSTANCES = 50;

/**
 * The view that reads the objects of these instances: by label selector when they are few, else the whole namespace.
 */
export function viewOf(instances: readonly InstanceName[]): ReadScope {
  return instances.length <= MAX_SELECTED_INSTANCES ? { kind: 'scope', instances } : { kind: 'complete' };
}

/** Reads of names that may clash, at most this many at once. */
const FOREIGN_READS = 8;

/** This deployment's objects, by their labels. */
const ownedSelector = (ownerId: string): string => `${LABEL_MANAGED_BY}=${APP_NAME},${LABEL_OWNER}=${ownerId}`;

/** The label selector of a scope view's objects (none for a complete view); bench:selector-cost sends it too. */
export function selectorOf(view: ReadScope, ownerId: string): string | undefined {
  if (view.kind === 'complete') return undefined;
  const keys = [...new Set(view.instances.map(instanceKey))].sort();
  return `${ownedSelector(ownerId)},${LABEL_INSTANCE} in (${keys.join(',')})`;
}

/**
 * The kinds an instance has at most one of, named `objectName(instance)` (render/render-instance.ts), which an event
 * reads by name. A list by label selector makes the apiserver test every object of the kind in the namespace (its
 * watch cache has no index of labels), so an event's cost would grow with the number of instances; a read by name
 * does not. ServiceEntries (one per endpoint role, an earlier shape's roles included) and AuthorizationPolicies (one
 * per 16 ServiceEntries in ambient mode) cannot all be named before they are read: those are listed.
 */
const NAMED_KINDS = ['Gateway', 'DestinationRule', 'VirtualService'] as const;
const LISTED_KINDS = INSTANCE_KINDS.map(({ kind }) => kind).filter(
  (kind) => !(NAMED_KINDS as readonly string[]).includes(kind),
);
/** Instances at most whose named kinds are read by name: three requests each, where a list is one per kind. */
const BY_NAME_INSTANCES = 2;

interface ObjectsRead {
  readonly objects: readonly KubeObject[];
  readonly readByName?: ReadonlySet<string>;
}

/**
 * The instances' objects of the named kinds that exist, ours or not, and the names read: the clash check then need not
 * read them again (foreignHolders).
 */
async function readNamed(deps: SyncDeps, instances: readonly InstanceName[]): Promise<Required<ObjectsRead>> {
  const namespace = deps.settings.cluster.istioNamespace;
  const refs = instances.flatMap((instance) =>
    NAMED_KINDS.map((kind) => ({ apiVersion: ISTIO_API_VERSION, kind, namespace, name: objectName(instance) })),
  );
  const found = await Promise.all(refs.map((ref) => deps.cluster.get(ref)));
  return {
    objects: found.filter((o): o is KubeObject => o !== undefined),
    readByName: new Set(refs.map((ref) => refKey(ref))),
  };
}

async function readObjects(deps: SyncDeps, view: ReadScope): Promise<ObjectsRead> {
  const namespace = deps.settings.cluster.istioNamespace;
  const selector = selectorOf(view, deps.settings.process.ownerId);
  if (view.kind === 'complete' || view.instances.length > BY_NAME_INSTANCES)
    return { objects: await deps.cluster.listIstio(namespace, selector) };
  const [listed, named] = await Promise.all([
    deps.cluster.listIstio(namespace, selector, LISTED_KINDS),
    readNamed(deps, view.instances),
  ]);
  return { objects: [...listed, ...named.objects], readByName: named.readByName };
}

async function listObjects(
  deps: SyncDeps,
  view: ReadScope,
): Promise<Pick<ClusterRead, 'owned' | 'others' | 'readByName'>> {
  const { ownerId } = deps.settings.process;
  const { objects, readByName } = await readObjects(deps, view);
  const owned: KubeObject[] = [];
  const others = new Map<string, KubeObject>();
  for (const object of objects) {
    if (isOwned(object, ownerId)) owned.push(object);
    else others.set(refKey(refOf(object)), object);
  }
  return { owned, others, ...(readByName ? { readByName } : {}) };
}

/** The declarations, in declared mode only: open mode reads nothing it does not use. */
async function readDeclarations(deps: SyncDeps): Promise<Pick<ClusterRead, 'declarations'>> {
  if (deps.settings.process.access.mode !== 'declared') return {};
  if (!deps.cluster.listAccessDeclarations)
    throw new Error('internal: ACCESS_MODE=declared needs a cluster store that reads MemorystoreAccess declarations');
  return { declarations: await deps.cluster.listAccessDeclarations() };
}

export async function readCluster(deps: SyncDeps, view: ReadScope): Promise<ClusterRead> {
  const read = await readIstio(deps, view);
  return { ...read, ...(await readDeclarations(deps)) };
}

/**
 * The egress gateway Service, then the Services of ours holding later blocks that exist, in one list by our labels
 * (a request per block would cost an event as many requests as the range has blocks).
 */
export async function readPortServices(deps: SyncDeps): Promise<GatewayServiceState[]> {
  const { cluster } = deps;
  const { egressGateway } = deps.settings.cluster;
  const names = new Set(ownPortServiceNames(deps.settings.cluster));
  const gateway = cluster.readGatewayService(egressGateway.namespace, egressGateway.service);
  if (names.size === 0) return [await gateway];
  if (!cluster.listPortServices)
    throw new Error('internal: GATEWAY_PORTS_PER_SERVICE needs a cluster store that lists port Services');
  const selector = ownedSelector(deps.settings.process.ownerId);
  const [first, own] = await Promise.all([gateway, cluster.listPortServices(egressGateway.namespace, selector)]);
  // Only the names of this range's blocks: another Service of ours (a block of a range since narrowed) is left alone.
  return [first, ...own.filter((s) => names.has(s.name)).sort((a, b) => a.name.localeCompare(b.name))];
}

/**
 * The blocks the instances' live objects route through: their Gateway servers' ports, and the Service their
 * DestinationRule names (where their ports were put, also before the range had blocks). A port outside the range is on
 * the egress gateway Service or on a Service of a range since narrowed, which is left alone: block 0.
 */
function routedBlocks(owned: readonly KubeObject[], settings: PortServiceSettings): Set<number> {
  const blocks = portBlocksOf(settings);
  const names = [settings.egressGateway.service, ...ownPortServiceNames(settings)];
  const ofPort = (port: number): number => (port >= blocks.from && port <= blocks.to ? blockOf(blocks, port) : 0);
  const gatewayPorts = owned
    .filter((o) => o.kind === 'Gateway')
    .flatMap((o) => liveSpec(o, 'Gateway')?.servers ?? [])
    .flatMap((server) => (typeof server.port?.number === 'number' ? [ofPort(server.port.number)] : []));
  const ruleHosts = owned
    .filter((o) => o.kind === 'DestinationRule')
    .map((o) => names.indexOf(String(liveSpec(o, 'DestinationRule')?.host ?? '').split('.')[0] ?? ''))
    .filter((block) => block >= 0);
  return new Set([...gatewayPorts, ...ruleHosts]);
}

/**
 * An event's read of the port Services, so its cost does not grow with the number of instances: the Services of the
 * blocks its instances route through and, when one of them has no Gateway yet (it may need new ports), one Service
 * of ours whose block is not full (LABEL_PORTS_FULL). Every block is read only when no Service of ours has room
 * (the range's first block on the egress gateway Service carries no label of ours), about once per block filled.
 * The plan hands out ports only in the blocks read; one refused for want of room there is planned again against
 * every block (sync.ts).
 */
async function readScopedPortServices(
  deps: SyncDeps,
  instances: readonly InstanceName[],
  owned: readonly KubeObject[],
): Promise<Pick<ClusterRead, 'services' | 'portBlocks'>> {
  const { cluster } = deps;
  const settings = deps.settings.cluster;
  const namespace = settings.egressGateway.namespace;
  const blockNamed = (name: string): number =>
    [settings.egressGateway.service, ...ownPortServiceNames(settings)].indexOf(name);
  const blocks = routedBlocks(owned, settings);
  const routed = new Set(owned.filter((o) => o.kind === 'Gateway').map(instanceNameOf));
  let roomy: GatewayServiceState | undefined;
  if (instances.some((name) => !routed.has(name.full))) {
    if (!cluster.listPortServices)
      throw new Error('internal: GATEWAY_PORTS_PER_SERVICE needs a cluster store that lists port Services');
    const selector = `${ownedSelector(deps.settings.process.ownerId)},${LABEL_PORTS_FULL}!=true`;
    [roomy] = (await cluster.listPortServices(namespace, selector, 1)).filter((s) => blockNamed(s.name) > 0);
    if (!roomy) return { services: await readPortServices(deps) };
  }
  const read = async (block: number): Promise<GatewayServiceState | undefined> => {
    if (block === 0) return cluster.readGatewayService(namespace, settings.egressGateway.service);
    if (!cluster.readPortService)
      throw new Error('internal: GATEWAY_PORTS_PER_SERVICE needs a cluster store that reads port Services');
    return cluster.readPortService(namespace, blockServiceName(settings, block));
  };
  const roomyBlock = roomy ? blockNamed(roomy.name) : undefined;
  const others = [...blocks].filter((block) => block !== roomyBlock);
  const services = [...(await Promise.all(others.map(read))), roomy].filter((s) => s !== undefined);
  // None there (deleted by hand): nothing to plan the ports against but every block.
  if (services.length === 0) return { services: await readPortServices(deps) };
  services.sort((a, b) => blockNamed(a.name) - blockNamed(b.name));
  return { services, portBlocks: [...others, ...(roomyBlock === undefined ? [] : [roomyBlock])] };
}

async function readIstio(deps: SyncDeps, view: ReadScope): Promise<ClusterRead> {
  // Ambient mode's gateway bridge keeps egress-gateway mode's ports, so reads them as that mode does.
  const routed = deps.settings.cluster.mode === 'egress-gateway' || deps.settings.cluster.gatewayBridge !== undefined;
  if (routed && view.kind === 'scope' && ownPortServiceNames(deps.settings.cluster).length > 0) {
    // An event knows each port's instance by the port's name, so it may read its objects first and then only the
    // Services they point at.
    const listed = await listObjects(deps, view);
    return { view, ...listed, ...(await readScopedPortServices(deps, view.instances, listed.owned)) };
  }
  if (routed) {
    // The Services first, then our objects: a port another reconcile has just added then always comes with the
    // ServiceEntry it wrote before it (make before break), so the port's owner is known.
    const services = await readPortServices(deps);
    return { view, ...(await listObjects(deps, view)), services };
  }
  // Direct mode needs the Services only to free ports left by an earlier egress-gateway deployment.
  const listed = await listObjects(deps, view);
  return listed.owned.some((o) => o.kind === 'Gateway')
    ? { view, ...listed, services: await readPortServices(deps) }
    : { view, ...listed };
}

/** Desired objects whose name is not among ours, mapped to the foreign live object holding that name, if any. */
export async function foreignHolders(
  deps: SyncDeps,
  read: ClusterRead,
  desired: readonly KubeObject[],
): Promise<Map<string, KubeObject>> {
  const ownedKeys = new Set(read.owned.map((o) => refKey(refOf(o))));
  const candidates = desired.filter((d) => !ownedKeys.has(refKey(refOf(d))));
  // Names whose holder the read already knows: every name in a complete view, the names read by name in a scope view.
  const known = (key: string): boolean => read.view.kind === 'complete' || read.readByName?.has(key) === true;
  const holders = new Map<string, KubeObject>();
  const unknown: KubeObject[] = [];
  for (const d of candidates) {
    const key = refKey(refOf(d));
    const holder = read.others.get(key);
    if (!known(key)) unknown.push(d);
    else if (holder) holders.set(key, holder);
  }
  const limit = pLimit(FOREIGN_READS);
  const found = await Promise.all(unknown.map((d) => limit(() => deps.cluster.get(refOf(d)))));
  for (const o of found)
    if (o !== undefined && !isOwned(o, deps.settings.process.ownerId)) holders.set(refKey(refOf(o)), o);
  return holders;
}
