import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { instanceNamed, parseInstanceName, relativeNameOf } from '../../../shared/products/instance-name.js';
import { PRODUCT_INFO, PRODUCTS } from '../../../shared/products/registry.js';
import { endpointHost, nodeRole, objectName, subsetName } from '../../../shared/render/names.js';
import { servicePortName } from '../../../shared/render/port-names.js';

const RELATIVE = 'projects/p/locations/us-central1/instances/cache-1';

describe('instance identity across products', () => {
  test('Redis keeps the relative name that objects written before other products carry', () => {
    expect(parseInstanceName(RELATIVE)).toEqual({
      full: RELATIVE,
      product: 'redis',
      project: 'p',
      location: 'us-central1',
      id: 'cache-1',
    });
    // The names a Redis instance's objects had before: redis-<id>-<10 hex of sha256(name)>.
    expect(objectName(parseInstanceName(RELATIVE)!)).toBe(
      `redis-cache-1-${createHash('sha256').update(RELATIVE).digest('hex').slice(0, 10)}`,
    );
    expect(endpointHost(parseInstanceName(RELATIVE)!, 'primary', 'memorystore.internal')).toBe(
      'cache-1.us-central1.p.memorystore.internal',
    );
  });

  test('the same relative name in three products is three instances with three names and hosts', () => {
    const names = PRODUCTS.filter((p) => PRODUCT_INFO[p].collection === 'instances').map((p) =>
      instanceNamed(p, RELATIVE)!,
    );
    expect(names.map((n) => n.full)).toEqual([
      RELATIVE,
      `//memorystore.googleapis.com/${RELATIVE}`,
      `//memcache.googleapis.com/${RELATIVE}`,
    ]);
    expect(names.map((n) => parseInstanceName(n.full)?.product)).toEqual(['redis', 'valkey', 'memcached']);
    expect(names.map(relativeNameOf)).toEqual([RELATIVE, RELATIVE, RELATIVE]);
    for (const render of [
      objectName,
      (n: (typeof names)[number]) => endpointHost(n, 'primary', 's'),
      (n: (typeof names)[number]) => subsetName(n, 'read'),
    ]) {
      expect(new Set(names.map(render)).size).toBe(3);
    }
  });

  test('a Redis Cluster is a cluster of redis.googleapis.com: its own identity and names', () => {
    const cluster = parseInstanceName('//redis.googleapis.com/projects/p/locations/us-central1/clusters/cache-1')!;
    expect(cluster).toMatchObject({ product: 'redis-cluster', id: 'cache-1' });
    expect(objectName(cluster)).toMatch(/^rediscluster-cache-1-/);
    expect(instanceNamed('redis-cluster', RELATIVE)).toBeUndefined();
    expect(
      parseInstanceName('//redis.googleapis.com/projects/p/locations/us-central1/instances/cache-1'),
    ).toBeUndefined();
  });

  test("each product's own id rules: Valkey's may start with a digit and run to 63 characters", () => {
    expect(instanceNamed('valkey', 'projects/p/locations/r/instances/1cache')).toBeDefined();
    expect(instanceNamed('redis', 'projects/p/locations/r/instances/1cache')).toBeUndefined();
    expect(instanceNamed('valkey', `projects/p/locations/r/instances/${'a'.repeat(63)}`)).toBeDefined();
    expect(instanceNamed('memcached', `projects/p/locations/r/instances/${'a'.repeat(41)}`)).toBeUndefined();
    expect(parseInstanceName('//unknown.googleapis.com/projects/p/locations/r/instances/x')).toBeUndefined();
  });

  test('every name stays within Kubernetes limits for the longest ids', () => {
    const longest = instanceNamed('valkey', `projects/p/locations/us-central1/instances/${'a'.repeat(63)}`)!;
    expect(subsetName(longest, nodeRole('n')).length).toBeLessThanOrEqual(63);
    expect(servicePortName(longest, nodeRole('n')).length).toBeLessThanOrEqual(63);
  });
});

describe('the admission policy allows exactly the Service port names the project gives', () => {
  // The pattern as the policy template holds it (a CEL string of an RE2 regex, the same syntax here).
  const template = readFileSync(
    new URL('../../../terraform/kubernetes/admission-policy.yaml.tftpl', import.meta.url),
    'utf8',
  );
  const pattern = new RegExp(/expression: "'(\^\(tcp-[^']+)'"/.exec(template)![1]!);

  test.each(PRODUCTS)('%s: every role', (product) => {
    const id =
      product === 'valkey' ? '9' + 'a'.repeat(62) : product === 'redis-cluster' ? 'a'.repeat(63) : 'a'.repeat(40);
    const longest = instanceNamed(product, `projects/p/locations/r/${PRODUCT_INFO[product].collection}/${id}`)!;
    for (const role of ['primary', 'read', 'discovery', nodeRole('node-1')])
      expect(servicePortName(longest, role)).toMatch(pattern);
  });

  test('and refuses names of others', () => {
    for (const name of ['tcp-redis-16999', 'http', 'tcp-cache-1-0123456789-x', 'tcp-cache-1-0123456789-nzzzzzz'])
      expect(name).not.toMatch(pattern);
  });
});
