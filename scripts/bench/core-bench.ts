/**
 * Benchmarks of the pure core, comparable run to run: planning a resync for N instances (first round: everything
 * created; second round: nothing to change) and decoding audit events. Prints median time and heap growth.
 *   npm run bench:core
 */
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import { parseAuditEvent } from '../../shared/events/parse-audit-event.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { desiredState, type InstanceObservation } from '../../shared/plan/desired-state.js';
import { planChanges } from '../../shared/plan/plan-changes.js';
import type { GatewayServiceState } from '../../shared/plan/service-ports.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { toRedisInstance } from '../../shared/products/redis/mapper.js';

const settings = planSettingsOf(
  parseRenderSettings({ MEMORYSTORE_PROJECT: 'bench-project', GATEWAY_PORT_RANGE: '20000-40000' }),
);

function scope(n: number): InstanceObservation[] {
  return Array.from({ length: n }, (_, i) => {
    const name = parseInstanceName(`projects/bench-project/locations/us-central1/instances/cache-${i}`)!;
    const replicas =
      i % 4 === 0 ? { readEndpoint: `10.1.${Math.floor(i / 250)}.${i % 250}`, readEndpointPort: 6379 } : {};
    return {
      name,
      instance: toRedisInstance({
        name: name.full,
        state: 'READY',
        host: `10.0.${Math.floor(i / 250)}.${i % 250}`,
        port: 6379,
        ...replicas,
      }),
    };
  });
}

function plan(observations: InstanceObservation[], owned: KubeObject[], service: GatewayServiceState) {
  const state = desiredState({ scope: observations, owned, gatewayService: service, settings });
  return { state, plan: planChanges(state, owned, { foreign: new Map(), services: [service], layout: settings }) };
}

function measure(label: string, runs: number, body: () => unknown): void {
  const times: number[] = [];
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let result: unknown;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = body();
    times.push(performance.now() - start);
  }
  const heapAfter = process.memoryUsage().heapUsed;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  process.stdout.write(
    `${label.padEnd(46)} median ${median.toFixed(2).padStart(9)} ms   p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(2).padStart(9)} ms   heap +${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB\n`,
  );
  void result;
}

const service: GatewayServiceState = {
  namespace: 'istio-system',
  name: 'istio-egressgateway',
  ports: [{ port: 80 }, { port: 443 }],
  ownedPorts: [],
};
for (const n of [10, 100, 1000, 5000]) {
  const observations = scope(n);
  measure(`plan resync, ${n} instances, first round`, n >= 1000 ? 5 : 50, () => plan(observations, [], service));
  const first = plan(observations, [], service);
  const owned = first.plan.changes.flatMap((c) => (c.target === 'object' && c.action === 'create' ? [c.after!] : []));
  const ports = first.state.servicePorts!.after;
  const synced = { ...service, ports: [...service.ports, ...ports], ownedPorts: ports };
  measure(`plan resync, ${n} instances, nothing to change`, n >= 1000 ? 5 : 50, () =>
    plan(observations, owned, synced),
  );
  measure(`plan one event among ${n} managed instances`, n >= 1000 ? 5 : 50, () =>
    plan([observations[0]!], owned, synced),
  );
}

const entry = {
  protoPayload: {
    serviceName: 'redis.googleapis.com',
    methodName: 'google.cloud.redis.v1.CloudRedis.UpdateInstance',
    resourceName: 'projects/p/locations/r/instances/i',
    authenticationInfo: { principalEmail: 'a@b.c' },
  },
  operation: { last: true },
  insertId: 'x',
};
const event = {
  id: '1',
  type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: Buffer.from(JSON.stringify(entry)).toString('base64') } },
};
measure('decode 10000 Pub/Sub audit events', 20, () => {
  for (let i = 0; i < 10000; i++) parseAuditEvent(event);
});
