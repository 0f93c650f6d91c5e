import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeHttp, type KubeRequest } from '../../shared/adapters/kube/kube-http.js';
import { kubeConfigEndpoint } from '../../shared/adapters/kube/kubeconfig-endpoint.js';
import { ConfigMapOutbox } from '../../shared/adapters/kube/configmap-outbox.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';
import { recordOf, type AuditRecord } from '../../shared/audit/audit-record.js';
import type { Change } from '../../shared/plan/plan-types.js';
import { sharedStack } from './shared-stack.js';

/**
 * The audit outbox ConfigMap on the real kube-apiserver: a record over its cap, a line that is no record and a flush
 * deleting it under a stash each lose nothing but what cannot be kept, and say so.
 */
const stack = sharedStack();
const NAMESPACE = 'e2e-audit-outbox';
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stack.adminKubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
let owner = 0;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => undefined);
});

/** A fresh outbox per test, and its HTTP client. */
function outbox(): { outbox: ConfigMapOutbox; name: string; http: KubeHttp } {
  const ownerId = `t${++owner}`;
  const http = new KubeHttp(kubeConfigEndpoint(kubeConfig));
  return {
    outbox: new ConfigMapOutbox(http, NAMESPACE, outboxName(ownerId), ownerId),
    name: outboxName(ownerId),
    http,
  };
}

/** A create record whose patch holds `bytes` of data, in operations of `opBytes`. */
function record(id: string, bytes = 100, opBytes = 50_000): AuditRecord {
  const spec: Record<string, string> = {};
  for (let i = 0; i * opBytes < bytes; i++) spec[`f${i}`] = 'x'.repeat(Math.min(opBytes, bytes - i * opBytes));
  const change: Change = {
    target: 'object',
    action: 'create',
    ref: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'n', name: id },
    instance: 'projects/p/locations/r/instances/x',
    after: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: id, namespace: 'n' }, spec },
  };
  const trigger = { kind: 'resync', principal: 'op@example.com', scheduled: false } as const;
  return recordOf(change, { id, time: new Date(0), trigger, dryRun: false, instances: new Map() });
}

const ids = (records: readonly AuditRecord[] | undefined): string[] => (records ?? []).map((r) => r.id);

test('a record over the cap is refused and said so; the records before it and with it are kept', async () => {
  const { outbox: box } = outbox();
  await box.stash([record('small-1')]);
  const result = await box.stash([record('large', 1_500_000), record('small-2')]);
  expect(ids(result.refused)).toEqual(['large']);
  expect(ids((await box.take())?.records)).toEqual(['small-1', 'small-2']);
});

test('a line that is no record is skipped and reported; the outbox keeps working', async () => {
  const { outbox: box, name } = outbox();
  await box.stash([record('before')]);
  const map = await core.readNamespacedConfigMap({ name, namespace: NAMESPACE });
  map.data = { 'records.jsonl': `${map.data?.['records.jsonl']}\n{not json\n` };
  await core.replaceNamespacedConfigMap({ name, namespace: NAMESPACE, body: map });
  await box.stash([record('after')]);
  const taken = await box.take();
  expect(ids(taken?.records)).toEqual(['before', 'after']);
  expect(taken?.corrupt).toEqual([]);
  const annotations = (await core.readNamespacedConfigMap({ name, namespace: NAMESPACE })).metadata?.annotations;
  expect(annotations?.['memorystore-egress-sync/skipped-lines']).toBe('1');
});

test('a corrupt line is reported by take, and keepOnly removes it with the published records', async () => {
  const { outbox: box, name } = outbox();
  await box.stash([record('kept')]);
  const map = await core.readNamespacedConfigMap({ name, namespace: NAMESPACE });
  map.data = { 'records.jsonl': `garbage\n${map.data?.['records.jsonl']}` };
  await core.replaceNamespacedConfigMap({ name, namespace: NAMESPACE, body: map });
  const taken = await box.take();
  expect(ids(taken?.records)).toEqual(['kept']);
  expect(taken?.corrupt).toEqual(['garbage']);
  await box.keepOnly(taken!, []);
  expect(await box.take()).toBeUndefined();
});

test('a stash that meets a flush deleting the outbox reads it again and keeps its records', async () => {
  const { outbox: box, name, http } = outbox();
  await box.stash([record('first')]);
  // Between the stash's read and its write, a flush deletes the outbox: the write meets no object (404).
  http.send = wrapOnce(http, async () => void (await core.deleteNamespacedConfigMap({ name, namespace: NAMESPACE })));
  await expect(box.stash([record('second')])).resolves.toEqual({ refused: [], dropped: 0 });
  expect(ids((await box.take())?.records)).toEqual(['second']);
});

/** The client's send, with `step` run once before its next PUT. */
function wrapOnce(http: KubeHttp, step: () => Promise<void>): KubeHttp['send'] {
  const send = http.send.bind(http);
  let pending: (() => Promise<void>) | undefined = step;
  return async <T>(request: KubeRequest): Promise<T> => {
    if (pending && request.method === 'PUT') {
      const run = pending;
      pending = undefined;
      await run();
    }
    return send<T>(request);
  };
}
