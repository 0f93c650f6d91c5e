import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import { parseInstanceName, type InstanceName } from '../../../shared/products/instance-name.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { endpointHost, objectName, serviceEntryName, subsetName } from '../../../shared/render/names.js';
import { servicePortName } from '../../../shared/render/port-names.js';
import { apply, emptyWorld, plan } from '../../fixtures/plan-harness.js';

// Issue 24 item 4: with instances of many projects in one deployment, the same instance id in two projects (or two
// locations) must never share an object, a host, a subset or a gateway port name; and a single-project deployment's
// names must not change on upgrade, or its objects would be deleted and created again under new names.
const named = (project: string, location: string) =>
  parseInstanceName(`projects/${project}/locations/${location}/instances/cache`)!;
const SAME_ID: readonly InstanceName[] = [
  named('team-a-prod', 'us-central1'),
  named('team-b-prod', 'us-central1'),
  named('team-a-prod', 'europe-west1'),
];

const observed = (name: InstanceName, host: string) => ({
  name,
  instance: toRedisInstance({
    name: name.full,
    state: 'READY',
    host,
    port: 6379,
    readEndpoint: host.replace(/\.3$/, '.4'),
    readEndpointPort: 6379,
  }),
});

describe('the same instance id in several projects and locations', () => {
  const scope = SAME_ID.map((name, i) => observed(name, `10.${i}.0.3`));
  const world = apply(emptyWorld(), plan(emptyWorld(), scope));
  const byInstance = (values: Array<[string | undefined, string]>) => {
    const owners = new Map<string, Set<string | undefined>>();
    for (const [instance, value] of values) owners.set(value, (owners.get(value) ?? new Set()).add(instance));
    return [...owners].filter(([, of]) => of.size > 1);
  };

  test('every object of each gets a name of its own', () => {
    expect(world.owned.length).toBeGreaterThanOrEqual(SAME_ID.length * 5);
    const names = world.owned.map((o) => [instanceNameOf(o), `${o.kind}/${o.metadata.name}`] as [string, string]);
    expect(byInstance(names)).toEqual([]);
    expect(new Set(world.owned.map(instanceNameOf))).toEqual(new Set(SAME_ID.map((n) => n.full)));
  });

  test('hosts, subsets and gateway port names are distinct, and each names its project and location', () => {
    const hosts = SAME_ID.flatMap((n) => ['primary', 'read'].map((r) => endpointHost(n, r, 'memorystore.internal')));
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(endpointHost(SAME_ID[1]!, 'primary', 'm.internal')).toBe('cache.us-central1.team-b-prod.m.internal');
    const subsets = SAME_ID.flatMap((n) => ['primary', 'read'].map((r) => subsetName(n, r)));
    expect(new Set(subsets).size).toBe(subsets.length);
    const portNames = world.ourPorts.map((p) => p.name);
    expect(portNames).toHaveLength(SAME_ID.length * 2);
    expect(new Set(portNames).size).toBe(portNames.length);
    expect(portNames.sort()).toEqual(
      SAME_ID.flatMap((n) => ['primary', 'read'].map((r) => servicePortName(n, r))).sort(),
    );
  });
});

describe('a single-project deployment upgraded to this version', () => {
  // Taken by running the code as it was before instances of several projects were synced (commit 78172d0), for this
  // fixed instance: names are a storage format, so they are pinned, not computed by the code under test.
  const cache = parseInstanceName('projects/test-project/locations/us-central1/instances/cache')!;
  const valkey = parseInstanceName(
    '//memorystore.googleapis.com/projects/test-project/locations/us-central1/instances/cache',
  )!;

  test('keeps the names its objects, hosts and gateway ports were written under', () => {
    expect(objectName(cache)).toBe('redis-cache-53f5d84aee');
    expect(serviceEntryName(cache, 'read')).toBe('redis-cache-53f5d84aee-read');
    expect(endpointHost(cache, 'primary', 'memorystore.internal')).toBe(
      'cache.us-central1.test-project.memorystore.internal',
    );
    expect(subsetName(cache, 'primary')).toBe('cache-53f5d84aee');
    expect(servicePortName(cache, 'primary')).toBe('tcp-cache-53f5d84aee-p');
    expect(objectName(valkey)).toBe('valkey-cache-2686b3d8c1');
    expect(endpointHost(valkey, 'primary', 'memorystore.internal')).toBe(
      'cache.valkey.us-central1.test-project.memorystore.internal',
    );
    expect(servicePortName(valkey, 'primary')).toBe('tcp-cache-2686b3d8c1-p');
  });
});
