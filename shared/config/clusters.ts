import * as z from 'zod';
import { fullNetworkName } from '../model/network.js';
import { SYNC_MODES } from './settings.js';

/** `projects/P/locations/L/clusters/C`: how SYNC_CLUSTERS' `gke` names a GKE cluster. */
export const gkeClusterName = (project: string, location: string, cluster: string): string =>
  `projects/${project}/locations/${location}/clusters/${cluster}`;

/** Names appear in records and logs, and may one day name objects: a DNS label, short enough to prefix. */
export const clusterName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/);

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

/**
 * A VPC network by its full name (or a Compute self link of it), as the Memorystore APIs name the networks of
 * instances: a bare name could be any project's, and a Shared VPC's network is its host project's.
 */
export const vpcNetwork = z.string().transform((value, context) => {
  const full = fullNetworkName(value);
  if (full === undefined)
    context.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not projects/P/global/networks/N` });
  return full ?? value;
});

/** What one element of SYNC_CLUSTERS may say: GKE (endpoint, caCert) or a kubeconfig (local runs), not both. */
const clusterEntry = z
  .object({
    name: clusterName,
    endpoint: z.string().min(1).optional(),
    caCert: z
      .string()
      .regex(/^[A-Za-z0-9+/=\s]*$/)
      .optional(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    mode: z.enum(SYNC_MODES).optional(),
    gatewayBridge: z.boolean().optional(),
    istioNamespace: dnsLabel.optional(),
    networks: z.array(vpcNetwork).min(1).optional(),
    gke: z
      .string()
      .regex(/^projects\/[a-z0-9][-a-z0-9.:]*\/locations\/[a-z0-9-]+\/clusters\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .optional(),
  })
  .strict()
  .refine((c) => (c.endpoint === undefined) !== (c.kubeconfig === undefined), {
    message: 'give exactly one of `endpoint` and `kubeconfig`',
  })
  .refine((c) => c.endpoint !== undefined || c.caCert === undefined, { message: '`caCert` goes with `endpoint`' })
  .refine((c) => c.kubeconfig !== undefined || c.context === undefined, {
    message: '`context` goes with `kubeconfig`',
  });

export type ClusterEntry = z.infer<typeof clusterEntry>;

/** The whole list: at least one cluster, names unique (records and the retry of a failed cluster go by name). */
const clusterList = z
  .array(clusterEntry)
  .min(1)
  .superRefine((entries, context) => {
    const seen = new Set<string>();
    for (const [index, entry] of entries.entries()) {
      if (seen.has(entry.name))
        context.addIssue({ code: 'custom', path: [index, 'name'], message: `the name ${entry.name} is used twice` });
      seen.add(entry.name);
    }
  });

/** Parsed SYNC_CLUSTERS, or every problem in it, each with its place (`[1].endpoint`), in one message. */
export function parseClusterEntries(
  text: string,
): { ok: true; entries: ClusterEntry[] } | { ok: false; problems: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problems: 'it is not JSON' };
  }
  const result = clusterList.safeParse(json);
  if (result.success) return { ok: true, entries: result.data };
  const problems = result.error.issues.map(
    (issue) =>
      `${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || 'the list'}: ${issue.message}`,
  );
  return { ok: false, problems: problems.join('; ') };
}
