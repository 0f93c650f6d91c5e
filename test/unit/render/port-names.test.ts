import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { PRODUCT_INFO, PRODUCTS, type Product } from '../../../shared/products/registry.js';
import { parseInstanceName, type InstanceName } from '../../../shared/products/instance-name.js';
import { instanceKey, nodeRole } from '../../../shared/render/names.js';
import {
  gatewayServerName,
  parseGatewayServerName,
  parseQuarantinedPortName,
  parseServicePortName,
  quarantinedPortName,
  roleCode,
  roleOfCode,
  servicePortName,
} from '../../../shared/render/port-names.js';

// Kubernetes validates ServicePort.name as a DNS-1123 label (pkg/apis/core/validation/validation.go,
// validateServicePort: ValidateDNS1123Label(sp.Name, ...)); the label rule is k8s.io/apimachinery's IsDNS1123Label.
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isServicePortName = (name: string): boolean => name.length <= 63 && DNS_1123_LABEL.test(name);

// The admission policy's pattern for our Service port names, read from the template (a CEL string of an RE2 regex,
// the same syntax here), so a codec that drifts from the policy fails here rather than at the apiserver.
const template = readFileSync(
  new URL('../../../terraform/kubernetes/admission-policy.yaml.tftpl', import.meta.url),
  'utf8',
);
const admitted = new RegExp(/name: portName\s+expression: "'(\^\(tcp-[^']+)'"/.exec(template)![1]!);

/** Instance ids as each product's API allows them, up to the longest (Valkey's 63 characters). */
const idOf = (product: Product): fc.Arbitrary<string> =>
  fc.stringMatching(PRODUCT_INFO[product].instanceId).filter((id) => !id.endsWith('-'));

const instance: fc.Arbitrary<InstanceName> = fc
  .record({
    product: fc.constantFrom(...PRODUCTS),
    project: fc.stringMatching(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/),
    region: fc.constantFrom('us-central1', 'europe-west4', 'asia-southeast1'),
  })
  .chain(({ product, project, region }) =>
    idOf(product).map((id) => {
      const info = PRODUCT_INFO[product];
      return parseInstanceName(
        `${info.identityPrefix}projects/${project}/locations/${region}/${info.collection}/${id}`,
      );
    }),
  )
  .filter((name): name is InstanceName => name !== undefined);

/** Every role an endpoint can have that gets a gateway port: the fixed ones, and a Memcached node's. */
const role = fc.oneof(fc.constantFrom('primary', 'read', 'discovery'), fc.string({ minLength: 1 }).map(nodeRole));

const port = fc.integer({ min: 1, max: 65535 });
/** Times from 2000 to the year 4000, to the millisecond. */
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(4000, 0, 1) }).map((ms) => new Date(ms));

describe('Service port names (tcp-<instance key>-<role code>)', () => {
  test('decode(encode(x)) = x for every product, role and id', () => {
    fc.assert(
      fc.property(instance, role, (name, r) => {
        const parsed = parseServicePortName(servicePortName(name, r));
        expect(parsed).toEqual({ key: instanceKey(name), code: roleCode(r) });
        expect(roleOfCode(parsed!.code)).toBe(r);
      }),
    );
  });

  test('every name is a valid Service port name and one the admission policy lets this identity write', () => {
    fc.assert(
      fc.property(instance, role, (name, r) => {
        const encoded = servicePortName(name, r);
        expect(isServicePortName(encoded)).toBe(true);
        expect(encoded).toMatch(admitted);
      }),
    );
  });

  test('names as clusters hold them today', () => {
    const redis = parseInstanceName('projects/p/locations/r/instances/cache-1')!;
    expect(servicePortName(redis, 'primary')).toBe('tcp-cache-1-3ff6e17632-p');
    expect(servicePortName(redis, 'read')).toBe('tcp-cache-1-3ff6e17632-r');
    expect(servicePortName(redis, 'node-0a1b2c')).toBe('tcp-cache-1-3ff6e17632-n0a1b2c');
    expect(parseServicePortName('tcp-cache-1-2975d0e49e-d')).toEqual({ key: 'cache-1-2975d0e49e', code: 'd' });
  });

  test('names of others are not read as ours', () => {
    for (const name of ['tcp-redis-16999', 'http', 'tcp-cache-1-0123456789-x', 'tcp-freed-s1a2b3c-16000'])
      expect(parseServicePortName(name)).toBeUndefined();
    expect(roleOfCode('x')).toBeUndefined();
  });
});

describe('Gateway server names (tcp-<protocol>-<role>)', () => {
  test('decode(encode(x)) = x for every product and role, and each is a DNS-1123 label', () => {
    fc.assert(
      fc.property(instance, role, (name, r) => {
        const encoded = gatewayServerName(name, r);
        expect(parseGatewayServerName(encoded)).toBe(r);
        expect(isServicePortName(encoded)).toBe(true);
      }),
    );
  });

  test('names as clusters hold them today', () => {
    const memcached = parseInstanceName('//memcache.googleapis.com/projects/p/locations/r/instances/m')!;
    expect(gatewayServerName(memcached, 'node-0a1b2c')).toBe('tcp-memcache-node-0a1b2c');
    expect(gatewayServerName(parseInstanceName('projects/p/locations/r/instances/c')!, 'read')).toBe('tcp-redis-read');
    expect(parseGatewayServerName('tcp-mysql-primary')).toBeUndefined();
  });
});

describe('quarantine names (tcp-freed-s<seconds, base 36>-<port>)', () => {
  test('decode(encode(x)) = x for whole seconds, and any time is read back rounded up to its second', () => {
    fc.assert(
      fc.property(port, instant, (p, freedAt) => {
        const decoded = parseQuarantinedPortName(quarantinedPortName(p, freedAt));
        expect(decoded).toEqual({ port: p, freedAtMs: Math.ceil(freedAt.getTime() / 1000) * 1000 });
      }),
    );
  });

  test('every name is a valid Service port name and one the admission policy lets this identity write', () => {
    fc.assert(
      fc.property(port, instant, (p, freedAt) => {
        const encoded = quarantinedPortName(p, freedAt);
        expect(isServicePortName(encoded)).toBe(true);
        expect(encoded).toMatch(admitted);
        expect(encoded.endsWith(`-${p}`)).toBe(true); // the policy's rule that a freed port keeps its number
      }),
    );
  });

  test('names as clusters hold them today', () => {
    expect(quarantinedPortName(16000, new Date(Date.UTC(2026, 10, 25, 10, 0, 52)))).toBe('tcp-freed-stp1yhg-16000');
    expect(parseQuarantinedPortName('tcp-cache-1-3ff6e17632-p')).toBeUndefined();
  });
});

describe('quarantine names of the older minute form (tcp-freed-<minutes, base 36>-<port>)', () => {
  // The project no longer writes this form, but clusters still hold it: this is how it was written (minutes since the
  // epoch, rounded down), up to the year 2084, after which a minute count would have 6 digits.
  const minuteName = (p: number, freedAt: Date): string =>
    `tcp-freed-${Math.floor(freedAt.getTime() / 60_000).toString(36)}-${p}`;
  const until2084 = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2084, 0, 1) }).map((ms) => new Date(ms));

  test('decode(encode(x)) = x, read as freed at the end of its minute (never earlier than it was)', () => {
    fc.assert(
      fc.property(port, until2084, (p, freedAt) => {
        const decoded = parseQuarantinedPortName(minuteName(p, freedAt));
        expect(decoded).toEqual({ port: p, freedAtMs: (Math.floor(freedAt.getTime() / 60_000) + 1) * 60_000 });
        expect(minuteName(p, freedAt)).toMatch(admitted);
      }),
    );
  });
});
