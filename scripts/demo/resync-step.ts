/**
 * The demo's resync step, as deployed: `resync` behind the local Cloud Run front (dev/harness/cloud-run-front), with
 * RESYNC_AUTH=cloud-run. The front checks each caller's identity token and invoker role and strips the signature;
 * the function checks the claims and its own allowlist.
 */
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { startCloudRunFront } from '../../dev/harness/cloud-run-front/index.js';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import { heading, say, showObjects, showRecords } from './show.js';

export const RESYNC_URL = 'https://resync-demo-uc.a.run.app';
const OPERATOR = 'operator@example.com';

export interface ResyncDemo {
  readonly env: Readonly<Record<string, string>>;
  readonly scheduler: string;
  readonly cluster: ClusterView;
  readonly stops: Array<() => Promise<unknown>>;
}

export async function demoResync(demo: ResyncDemo): Promise<void> {
  const issuer = await startTokenIssuer();
  demo.stops.push(() => issuer.close());
  const fn = await serveFunction('resync', { ...demo.env, RESYNC_AUTH: 'cloud-run' });
  demo.stops.push(() => fn.stop());
  const front = await startCloudRunFront({
    target: fn.url,
    serviceUrl: RESYNC_URL,
    invokers: [OPERATOR, demo.scheduler],
    certsUrl: issuer.certsUrl,
  });
  demo.stops.push(() => front.stop());
  say(`resync: ${RESYNC_URL} stands at ${front.url} (the local Cloud Run front), the function at ${fn.url}`);
  const call = async (
    url: string,
    query: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${url}${query}`, { method: 'POST', headers });
    const text = await response.text();
    return {
      status: response.status,
      body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { page: text.trim() },
    };
  };
  const token = (email: string): Promise<string> =>
    issuer.sign({ email, audience: RESYNC_URL }).then((t) => `Bearer ${t}`);

  heading('Someone deletes a ServiceEntry by hand (kubectl delete): no audit event, so only a resync repairs it');
  const [entry] = [...(await demo.cluster.istioObjects()).values()].filter((o) => o.kind === 'ServiceEntry');
  if (entry)
    await demo.cluster.api.delete({
      apiVersion: entry.apiVersion,
      kind: entry.kind,
      metadata: { name: entry.metadata.name, namespace: entry.metadata.namespace },
    });
  say(`deleted ServiceEntry/${entry?.metadata.name ?? '(none)'}`);

  heading(
    'The operator asks for a dry run through the front: curl -X POST -H "Authorization: Bearer $(gcloud auth print-identity-token ...)" "$URL?dryRun=true"',
  );
  const dry = await call(front.url, '?dryRun=true', { authorization: await token(OPERATOR) });
  say(`HTTP ${dry.status}, dry_run ${String(dry.body['dry_run'])}`);
  showRecords((dry.body['records'] as AuditRecord[] | undefined) ?? []);

  heading(
    'Refused: at the front (no token: 401; no roles/run.invoker: 403), and by the function (a token that bypassed the front: 401)',
  );
  for (const [who, url, headers] of [
    ['no token, at the front', front.url, {}],
    [
      'mallory@example.com (not an invoker), at the front',
      front.url,
      { authorization: await token('mallory@example.com') },
    ],
    [
      "the operator's token sent straight to the function, signature intact",
      fn.url,
      { authorization: await token(OPERATOR) },
    ],
  ] as Array<[string, string, Record<string, string>]>) {
    const refused = await call(url, '?dryRun=true', headers);
    const why = [refused.body['error'], refused.body['page']].find((v): v is string => typeof v === 'string') ?? '';
    say(`${who}: HTTP ${refused.status} ${why}`);
  }

  heading("Cloud Scheduler's resync through the front (OIDC token for the run.app URL): the ServiceEntry is back");
  const run = await call(front.url, '', { authorization: await token(demo.scheduler) });
  say(`HTTP ${run.status}, summary ${JSON.stringify(run.body['summary'])}`);
  showObjects(
    [...(await demo.cluster.istioObjects()).values()].filter((o) => o.kind === 'ServiceEntry'),
    await demo.cluster.gatewayServicePorts(),
  );
  showRecords((run.body['records'] as AuditRecord[] | undefined) ?? []);
}
