import { objectName, serviceEntryName } from '../../shared/render/names.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { logEntry } from '../../dev/fixtures/audit-entries.js';
import { resetRig } from './support/fresh-state.js';
import { checkWithIstioctl } from './support/istio-checks.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * The whole event path, step by step through an instance's life: Memorystore API call → audit entries on Pub/Sub →
 * CloudEvent → syncOnAuditLog → Istio objects in a real kube-apiserver (CRD schemas and CEL enforced), with the audit
 * records read back from the audit topic. Every test starts from an empty namespace and API, and brings the instance
 * to the step it is about itself.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-events' });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

const nameOf = (full: string) => parseInstanceName(full)!;
const kinds = (keys: Iterable<string>) => [...keys].map((k) => k.split('/')[0]).sort();
const actions = (records: Array<{ record: { action: string; object: { kind: string } } }>) =>
  records.map((r) => `${r.record.action} ${r.record.object.kind}`).sort();

describe('one instance through its life', () => {
  /** The instance of this life, created through the API: the steps after the create start from it. */
  async function created(): Promise<{ full: string; base: string }> {
    const full = await rig.createInstance('orders-cache');
    return { full, base: objectName(nameOf(full)) };
  }

  async function addReadReplicas(full: string): Promise<void> {
    const [operation] = await rig.redis.updateInstance({
      updateMask: { paths: ['read_replicas_mode', 'replica_count'] },
      instance: { name: full, readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 },
    });
    await operation.promise();
    await rig.idle();
  }

  test('create: the four Istio objects appear and the gateway port is added to the Service', async () => {
    const mark = rig.audit.count;
    const { full, base } = await created();
    const objects = await rig.cluster.istioObjects();
    expect(kinds(objects.keys())).toEqual(['DestinationRule', 'Gateway', 'ServiceEntry', 'VirtualService']);
    const entry = objects.get(`ServiceEntry/${base}`)!;
    const instance = rig.memorystore.instances().find((i) => i.name === full)!;
    expect(entry.spec['addresses']).toEqual([`${instance.host}/32`]);
    expect(entry.metadata.annotations?.['memorystore-egress-sync/last-change-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rig.cluster.gatewayPorts()).toEqual([80, 443, 16000]);
    const records = await rig.audit.since(mark);
    expect(actions(records)).toEqual([
      'create DestinationRule',
      'create Gateway',
      'create ServiceEntry',
      'create VirtualService',
      'update Service',
    ]);
    expect(
      records.every(
        (r) =>
          r.record.outcome === 'applied' &&
          r.record.trigger.method_name === 'google.cloud.redis.v1.CloudRedis.CreateInstance',
      ),
    ).toBe(true);
    expect(records[0]?.attributes).toMatchObject({ instance: full });
    // The same records, one structured log line each, with labels for log-based metrics.
    const logged = rig
      .logs()
      .filter(
        (l) =>
          l['message'] === 'audit record' && records.some((r) => r.record.id === (l['record'] as { id: string }).id),
      );
    expect(logged).toHaveLength(records.length);
    expect(logged.map((l) => l['record'])).toEqual(expect.arrayContaining(records.map((r) => r.record)));
    expect(logged[0]?.['logging.googleapis.com/labels']).toMatchObject({
      component: 'memorystore-egress-sync',
      instance: full,
    });
  });

  test('resize: nothing changes', async () => {
    const { full } = await created();
    const before = await rig.cluster.istioObjects();
    const mark = rig.audit.count;
    const [operation] = await rig.redis.updateInstance({
      updateMask: { paths: ['memory_size_gb'] },
      instance: { name: full, memorySizeGb: 5 },
    });
    await operation.promise();
    await rig.idle();
    expect(await rig.audit.since(mark)).toEqual([]);
    const after = await rig.cluster.istioObjects();
    expect([...after.values()].map((o) => o.metadata.resourceVersion)).toEqual(
      [...before.values()].map((o) => o.metadata.resourceVersion),
    );
  });

  test('failover: nothing changes', async () => {
    const { full } = await created();
    const mark = rig.audit.count;
    const [operation] = await rig.redis.failoverInstance({ name: full });
    await operation.promise();
    await rig.idle();
    expect(await rig.audit.since(mark)).toEqual([]);
  });

  test('re-address: the ServiceEntry and VirtualService follow, nothing else is touched', async () => {
    const { full, base } = await created();
    const mark = rig.audit.count;
    await rig.memorystore.readdress(full, { host: '10.200.0.7' });
    await rig.idle();
    const records = await rig.audit.since(mark);
    expect(actions(records)).toEqual(['update ServiceEntry', 'update VirtualService']);
    const objects = await rig.cluster.istioObjects();
    expect(objects.get(`ServiceEntry/${base}`)?.spec['endpoints']).toEqual([{ address: '10.200.0.7' }]);
    expect(JSON.stringify(objects.get(`VirtualService/${base}`)?.spec)).toContain('10.200.0.7/32');
    const patch = records.find((r) => r.record.object.kind === 'ServiceEntry')?.record.patch;
    expect(patch).toEqual(
      expect.arrayContaining([{ op: 'replace', path: '/spec/endpoints/0/address', value: '10.200.0.7' }]),
    );
  });

  test('read replicas: the read endpoint gets its own ServiceEntry and gateway port', async () => {
    const { full } = await created();
    await addReadReplicas(full);
    const objects = await rig.cluster.istioObjects();
    expect(objects.has(`ServiceEntry/${serviceEntryName(nameOf(full), 'read')}`)).toBe(true);
    expect(await rig.cluster.gatewayPorts()).toEqual([80, 443, 16000, 16001]);
  });

  test('delete: every object is gone and the ports are freed into quarantine', async () => {
    // With its read replicas: five objects and two gateway ports to remove.
    const { full } = await created();
    await addReadReplicas(full);
    const before = await rig.cluster.gatewayServicePorts();
    const mark = rig.audit.count;
    const [operation] = await rig.redis.deleteInstance({ name: full });
    await operation.promise();
    await rig.idle();
    expect(await rig.cluster.istioObjects()).toEqual(new Map());
    expect(await rig.cluster.gatewayPorts()).toEqual([80, 443]);
    // The freed ports stay on the Service under quarantine names until PORT_QUARANTINE_SECONDS has passed.
    const freed = before.filter((p) => p.port !== 80 && p.port !== 443).map((p) => p.port);
    const quarantined = (await rig.cluster.gatewayServicePorts()).filter((p) => p.name.startsWith('tcp-freed-'));
    expect(quarantined.map((p) => p.port)).toEqual(freed);
    const records = await rig.audit.since(mark);
    expect(records.filter((r) => r.record.action === 'delete')).toHaveLength(5);
    expect(
      records.every((r) => r.record.trigger.method_name === 'google.cloud.redis.v1.CloudRedis.DeleteInstance'),
    ).toBe(true);
  });
});

describe('retries', () => {
  test('an event for an instance with no endpoint yet fails, is redelivered, and succeeds once the instance settles', async () => {
    const [deliveriesBefore, logsBefore] = [rig.deliveries().length, rig.logs().length];
    rig.memorystore.setSettleDelay(2500);
    try {
      const [operation] = await rig.redis.createInstance({
        parent: 'projects/test-project/locations/us-central1',
        instanceId: 'slow-cache',
        instance: { tier: 'BASIC', memorySizeGb: 1 },
      });
      const full = 'projects/test-project/locations/us-central1/instances/slow-cache';
      // An out-of-order "last" entry arrives while the instance is still CREATING, with no address.
      await rig.publishAuditEntry(logEntry({ method: 'UpdateInstance', resourceName: full }));
      await operation.promise();
      await rig.idle();
      const redelivered = rig
        .deliveries()
        .slice(deliveriesBefore)
        .filter((d) => d.status === 500);
      expect(redelivered.length).toBeGreaterThan(0);
      expect(
        rig
          .logs()
          .slice(logsBefore)
          .some((l) => String(l['error']).includes('CREATING and has no endpoint yet')),
      ).toBe(true);
      expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${objectName(nameOf(full))}`)).toBe(true);
    } finally {
      rig.memorystore.setSettleDelay(50);
    }
  });
});

describe('other instance shapes', () => {
  test('a TLS instance is declared on port 6378', async () => {
    const full = await rig.createInstance('tls-cache', { transitEncryptionMode: 'SERVER_AUTHENTICATION' });
    const entry = (await rig.cluster.istioObjects()).get(`ServiceEntry/${objectName(nameOf(full))}`);
    expect(entry?.spec['ports']).toEqual([{ number: 6378, name: 'tcp-redis', protocol: 'TCP' }]);
  });

  test('everything rendered passes istioctl validate and analyze with no errors or warnings', async () => {
    // Every shape of Redis instance: plain, TLS on 6378, and with a read endpoint.
    await rig.createInstance('plain-cache');
    await rig.createInstance('tls-cache', { transitEncryptionMode: 'SERVER_AUTHENTICATION' });
    await rig.createInstance('replicas-cache', {
      tier: 'STANDARD_HA',
      readReplicasMode: 'READ_REPLICAS_ENABLED',
      replicaCount: 2,
    });
    const { validation, analysis } = await checkWithIstioctl(rig);
    expect(validation.stderr).not.toMatch(/error|warn/i);
    expect(validation.code).toBe(0);
    expect(analysis.messages.filter((m) => m.level !== 'Info')).toEqual([]);
  });
});

describe('concurrency', () => {
  test('instances created at the same moment never share a gateway port', async () => {
    await Promise.all(['burst-a', 'burst-b', 'burst-c', 'burst-d'].map((id) => rig.createInstance(id)));
    await rig.idle();
    const gateways = [...(await rig.cluster.istioObjects()).values()].filter((o) => o.kind === 'Gateway');
    const ports = gateways.flatMap((g) =>
      (g.spec['servers'] as Array<{ port: { number: number } }>).map((server) => server.port.number),
    );
    expect(gateways.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ports).size).toBe(ports.length);
    expect((await rig.cluster.gatewayPorts()).filter((p) => p !== 80 && p !== 443)).toEqual(
      [...ports].sort((a, b) => a - b),
    );
  });
});
