import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as Yaml from 'yaml';
import type { KubeAccess } from './settings.js';

// Required when a kubeconfig is read, not imported at start-up: a function on the GKE path reads none, and each
// module loaded at start-up is paid for by the first event after a cold start (docs/performance.md).
const yaml = (): typeof Yaml => createRequire(import.meta.url)('yaml') as typeof Yaml;

type Named = { readonly name: string; readonly kube: KubeAccess };

/**
 * The apiserver URL as compared: URL parsing lowercases the host and drops https's default port; a trailing slash
 * goes. `https://GKE-a.gke.goog:443/` and `https://gke-a.gke.goog` are then one server.
 */
export function serverKey(server: string): string {
  if (!URL.canParse(server)) return server;
  const url = new URL(server);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

type KubeconfigFile = {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
};

/**
 * The server a kubeconfig context points at, read as the loader will read it; undefined when the file or context
 * cannot be read (the loader then names the problem, with the setting that gave it).
 */
export function kubeconfigServer(path: string, context?: string): string | undefined {
  try {
    const file = yaml().parse(readFileSync(path, 'utf8')) as KubeconfigFile;
    const contextName = context ?? file['current-context'];
    const clusterName = file.contexts?.find((c) => c.name === contextName)?.context?.cluster;
    return file.clusters?.find((c) => c.name === clusterName)?.cluster?.server;
  } catch {
    return undefined;
  }
}

/**
 * What makes two entries one cluster, as far as configuration can tell: the same server URL (an endpoint, or the
 * server a kubeconfig context resolves to), or the same kubeconfig file and context. A cluster's IP endpoint and its
 * DNS endpoint are two URLs and are not matched: telling them apart would need the GKE API at start-up.
 */
function keysOf(access: KubeAccess, readServer: typeof kubeconfigServer): string[] {
  if (access.kind === 'gke') return [`server ${serverKey(access.server)}`];
  const server = readServer(access.path, access.context);
  return [
    `kubeconfig ${resolve(access.path)} context ${access.context ?? '(current)'}`,
    ...(server ? [`server ${serverKey(server)}`] : []),
  ];
}

/**
 * Two names for one cluster would each apply their own mode and namespace there, and each event would flip the
 * other's objects: every such pair is named, with what they share.
 */
export function sameClusterProblems(clusters: readonly Named[], readServer = kubeconfigServer): string[] {
  const firstWith = new Map<string, string>();
  const problems: string[] = [];
  for (const cluster of clusters) {
    const keys = keysOf(cluster.kube, readServer);
    const clash = keys.find((key) => firstWith.has(key));
    if (clash) problems.push(`${firstWith.get(clash)} and ${cluster.name} are the same cluster (${clash})`);
    else for (const key of keys) firstWith.set(key, cluster.name);
  }
  return problems;
}
