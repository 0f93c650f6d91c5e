// What the plan of examples/basic does for its two clusters, read from `tofu show -json` of the plan and from the
// stand-in kubernetes provider's record of which cluster (provider host) each manifest was planned against:
//   - both functions get SYNC_CLUSTERS: the primary cluster first, then the second, each with the endpoint the
//     stand-in cluster answers for it (DNS-based: no CA) and the Istio namespace the second one overrides, in the
//     shape the configuration contract takes (shared/config/config-variables.ts);
//   - the RBAC and the admission policy are planned in each cluster, through that cluster's provider, with that
//     cluster's Istio namespace, naming both function identities;
//   - container.clusterViewer is granted to both identities in each cluster's project, once.
//   node clusters-planned.mjs <plan.json> <manifest log> <data-sources.json>
import { readFileSync } from 'node:fs';
import process, { argv, exit } from 'node:process';
import { isDeepStrictEqual } from 'node:util';

const [planPath, logPath, dataSourcesPath] = argv.slice(2);
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const standIn = JSON.parse(readFileSync(dataSourcesPath, 'utf8'));
const failures = [];
const check = (ok, message) => ok || failures.push(message);

const variable = (name) => plan.variables[name]?.value;
const primary = {
  name: variable('gke_cluster_name'),
  project: variable('project_id'),
  location: variable('gke_cluster_location'),
  istioNamespace: 'istio-system',
};
const second = variable('second_cluster');
const clusters = [
  { ...primary, answer: standIn.google_container_cluster },
  {
    name: second.name,
    project: second.project ?? primary.project,
    location: second.location,
    istioNamespace: second.istio_namespace ?? primary.istioNamespace,
    answer: standIn[`google_container_cluster[name=${second.name}]`],
  },
];
for (const c of clusters) c.endpoint = c.answer.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint;

const changes = plan.resource_changes.filter((r) => r.change.actions.includes('create'));

// SYNC_CLUSTERS, as each function would get it; `gke` is how GKE's audit entries name the cluster (declaration events).
const gkeName = (c) => `projects/${c.project}/locations/${c.location}/clusters/${c.name}`;
const expected = [
  // Each cluster's network as GKE reports it (the stand-in's answer), the networks its pods reach.
  {
    name: primary.name,
    endpoint: clusters[0].endpoint,
    caCert: '',
    networks: [clusters[0].answer.network],
    gke: gkeName(clusters[0]),
  },
  {
    name: second.name,
    endpoint: clusters[1].endpoint,
    caCert: '',
    networks: [clusters[1].answer.network],
    gke: gkeName(clusters[1]),
    ...(second.istio_namespace ? { istioNamespace: second.istio_namespace } : {}),
  },
];
for (const fn of changes.filter((r) => r.type === 'google_cloudfunctions2_function')) {
  const environment = fn.change.after.service_config[0].environment_variables;
  check(
    !('GKE_CLUSTER_ENDPOINT' in environment) && !('GKE_CLUSTER_CA_CERT' in environment),
    `${fn.address}: GKE_CLUSTER_ENDPOINT and GKE_CLUSTER_CA_CERT must not be set beside SYNC_CLUSTERS`,
  );
  const syncClusters = JSON.parse(environment.SYNC_CLUSTERS ?? 'null');
  check(
    isDeepStrictEqual(syncClusters, expected),
    `${fn.address}: SYNC_CLUSTERS is ${JSON.stringify(syncClusters)}, expected ${JSON.stringify(expected)}`,
  );
  for (const entry of syncClusters ?? []) {
    check(
      /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(entry.name),
      `${fn.address}: cluster name ${entry.name} is not a DNS label of at most 40 characters`,
    );
    check(
      Object.keys(entry).every((k) =>
        ['name', 'endpoint', 'caCert', 'mode', 'istioNamespace', 'gke', 'networks'].includes(k),
      ),
      `${fn.address}: unexpected fields in ${JSON.stringify(entry)}`,
    );
  }
}
check(
  changes.filter((r) => r.type === 'google_cloudfunctions2_function').length === 2,
  'the plan should create both functions',
);

/** The declaration-reading ClusterRoles (one per identity) may only get, list and watch declarations. */
function checkReadOnly(cluster, accessRead) {
  const readRules = accessRead.filter((m) => m.kind === 'ClusterRole').flatMap((m) => m.rules);
  const readOnly = (r) =>
    isDeepStrictEqual(r.resources, ['memorystoreaccesses']) &&
    isDeepStrictEqual([...r.verbs].sort(), ['get', 'list', 'watch']);
  check(
    readRules.length === 2 && readRules.every(readOnly),
    `${cluster.name}: the declaration-reading ClusterRoles may only get, list and watch memorystoreaccesses, got ${JSON.stringify(readRules)}`,
  );
}

/**
 * Per identity: the Istio kinds' Role and binding, the egress gateway Service's, and (the default port range has
 * several blocks of GATEWAY_PORTS_PER_SERVICE) the port Services' Role and binding.
 */
function checkCounts(cluster, module, { rbac, accessRead, policies }) {
  check(
    rbac.length === 12 && policies.length === 8 && accessRead.length === 4,
    `${cluster.name}: expected 12 RBAC objects, 4 declaration-reading ones and 8 admission objects in ${module}, got ${rbac.length}, ${accessRead.length} and ${policies.length}`,
  );
  const portRoles = rbac.filter((m) => m.kind === 'Role' && m.metadata.name.includes('-port-services-'));
  const servicesOnly = (role) => role.rules.every((r) => isDeepStrictEqual(r.resources, ['services']));
  check(
    portRoles.length === 2 && portRoles.every(servicesOnly),
    `${cluster.name}: the port Services' Roles should be two, on Services only, got ${JSON.stringify(portRoles)}`,
  );
}

// The manifests, per module call, and the cluster each was planned against.
const planned = readFileSync(logPath, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split('\t'));
const modules = ['module.memorystore_egress_sync.module.primary_cluster_rbac.', 'module.second_cluster_rbac.'];
clusters.forEach((cluster, i) => {
  const manifests = changes
    .filter((r) => r.type === 'kubernetes_manifest' && r.address.startsWith(modules[i]))
    .map((r) => r.change.after.manifest);
  const describe = (m) => `${m.kind}\t${m.metadata.namespace ?? ''}/${m.metadata.name}`;
  // The MemorystoreAccess read rights are cluster-wide (declarations live in the consumers' namespaces): a
  // ClusterRole and its binding per identity, reading declarations and nothing else.
  const isAccessRead = (m) => m.metadata.name.startsWith('memorystore-egress-sync-access-read-');
  const rbac = manifests.filter((m) => m.apiVersion.startsWith('rbac.') && !isAccessRead(m));
  const accessRead = manifests.filter((m) => m.apiVersion.startsWith('rbac.') && isAccessRead(m));
  const policies = manifests.filter((m) => m.apiVersion.startsWith('admissionregistration.'));
  checkCounts(cluster, modules[i], { rbac, accessRead, policies });
  checkReadOnly(cluster, accessRead);
  const istioRoles = rbac.filter(
    (m) => m.kind === 'Role' && m.metadata.name.startsWith('memorystore-egress-sync-istio-'),
  );
  check(
    istioRoles.length === 2 && istioRoles.every((m) => m.metadata.namespace === cluster.istioNamespace),
    `${cluster.name}: the Istio Roles should be in ${cluster.istioNamespace}`,
  );
  const conditions = policies
    .filter((m) => m.kind === 'ValidatingAdmissionPolicy')
    .map((m) => [m.metadata.name, m.spec.matchConditions.map((c) => c.expression).join(' ')]);
  check(
    conditions.length === 4 && conditions.every(([, c]) => /sync@.*resync@/.test(c)),
    `${cluster.name}: every admission policy should name both identities`,
  );
  const istioObjects = conditions.find(([name]) => name.endsWith('-istio-objects'))?.[1] ?? '';
  check(
    istioObjects.includes(`request.namespace == "${cluster.istioNamespace}"`),
    `${cluster.name}: the Istio objects policy should hold in ${cluster.istioNamespace}`,
  );
  const atHost = new Set(
    planned.filter(([host]) => host === `https://${cluster.endpoint}`).map((fields) => fields.slice(1).join('\t')),
  );
  const wanted = manifests.map(describe);
  check(
    wanted.length > 0 && wanted.every((d) => atHost.has(d)) && atHost.size === wanted.length,
    `${cluster.name}: the provider for https://${cluster.endpoint} planned ${[...atHost].join(', ') || 'nothing'}; expected ${wanted.join(', ')}`,
  );
});

// container.clusterViewer: once per identity per project that holds a cluster.
const viewerGrants = changes
  .filter((r) => r.type === 'google_project_iam_member' && r.change.after.role === 'roles/container.clusterViewer')
  .map((r) => r.change.after.project);
const projects = [...new Set(clusters.map((c) => c.project))].sort();
check(
  JSON.stringify([...viewerGrants].sort()) === JSON.stringify(projects.flatMap((p) => [p, p])),
  `container.clusterViewer should be granted twice (sync, resync) in each of ${projects.join(', ')}; granted in ${viewerGrants.join(', ')}`,
);

if (failures.length > 0) {
  process.stderr.write(`${failures.join('\n')}\n`);
  exit(1);
}
process.stdout.write(
  `SYNC_CLUSTERS lists ${expected.map((c) => `${c.name} (${c.endpoint})`).join(' and ')}; RBAC and admission policy planned in both clusters through their own providers; container.clusterViewer granted in ${projects.join(', ')}\n`,
);
