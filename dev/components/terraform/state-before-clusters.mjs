// The state of a deployment made before several clusters: the primary cluster's RBAC and admission policy as they
// were then, resources of the module itself (module.memorystore_egress_sync.kubernetes_manifest.*), with the manifests
// the current plan renders. Planning the current configuration from it must move them into the primary cluster's
// module call (kubernetes.tf's `moved` blocks) and re-create nothing.
//   node state-before-clusters.mjs write <plan.json> <terraform.tfstate>     the state, from a first plan's manifests
//   node state-before-clusters.mjs check <plan.json> <first plan.json>       what planning from that state does
// State format v4 (what `terraform show -json`/OpenTofu read back): dynamic attributes are stored as {value, type},
// the type in cty's JSON type notation.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import process, { argv, exit } from 'node:process';

const [command, planPath, other] = argv.slice(2);
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const NOW = 'module.memorystore_egress_sync.module.primary_cluster_rbac.kubernetes_manifest.';
const BEFORE = 'module.memorystore_egress_sync.kubernetes_manifest.';
// The resources the module had then (kubernetes.tf's `moved` blocks name them); the MemorystoreAccess CRD and its read
// rights came later, so an upgrade from that state creates them.
const EXISTED_BEFORE = new Set(['rbac', 'admission_policy']);
const primaryManifests = (p) =>
  p.resource_changes.filter((r) => r.address.startsWith(NOW) && EXISTED_BEFORE.has(r.name));

/** cty's JSON type of a value as yamldecode and merge build it: objects and tuples all the way down. */
function ctyType(value) {
  if (Array.isArray(value)) return ['tuple', value.map(ctyType)];
  if (value === null) return 'dynamic';
  if (typeof value === 'object')
    return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ctyType(v)]))];
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function writeState(statePath) {
  const byName = Map.groupBy(primaryManifests(plan), (r) => r.name);
  const resources = [...byName].map(([name, changes]) => ({
    module: 'module.memorystore_egress_sync',
    mode: 'managed',
    type: 'kubernetes_manifest',
    name,
    provider: 'provider["registry.opentofu.org/hashicorp/kubernetes"]',
    instances: changes.map((r) => ({
      index_key: r.index,
      schema_version: 0,
      attributes: {
        manifest: { value: r.change.after.manifest, type: ctyType(r.change.after.manifest) },
        object: null,
        computed_fields: null,
        field_manager: [],
        timeouts: [],
        wait: [],
        wait_for: null,
      },
      sensitive_attributes: [],
    })),
  }));
  writeFileSync(
    statePath,
    JSON.stringify(
      {
        version: 4,
        terraform_version: '1.12.6',
        serial: 1,
        lineage: randomUUID(),
        outputs: {},
        resources,
        check_results: null,
      },
      null,
      2,
    ),
  );
  process.stdout.write(
    `state before several clusters: ${resources.flatMap((r) => r.instances).length} manifests at ${BEFORE}*\n`,
  );
}

function checkMoved(firstPlanPath) {
  const first = JSON.parse(readFileSync(firstPlanPath, 'utf8'));
  const failures = [];
  const moved = primaryManifests(plan);
  const wanted = primaryManifests(first).length;
  if (moved.length !== wanted)
    failures.push(`${moved.length} manifests in the primary cluster's module call, expected ${wanted}`);
  for (const r of moved) {
    const from = `${BEFORE}${r.address.slice(NOW.length)}`;
    if (r.previous_address !== from) failures.push(`${r.address}: moved from ${r.previous_address}, expected ${from}`);
    if (r.change.actions.join() !== 'no-op')
      failures.push(`${r.address}: ${r.change.actions.join('+')}, expected no-op`);
  }
  const creates = (p) => p.resource_changes.filter((r) => r.change.actions.includes('create')).length;
  const deletes = plan.resource_changes.filter((r) => r.change.actions.includes('delete'));
  if (deletes.length > 0) failures.push(`deletes ${deletes.map((r) => r.address).join(', ')}`);
  if (creates(plan) !== creates(first) - wanted)
    failures.push(`creates ${creates(plan)}, expected ${creates(first) - wanted}`);
  if (failures.length > 0) {
    process.stderr.write(`${failures.join('\n')}\n`);
    exit(1);
  }
  process.stdout.write(
    `a deployment made before several clusters keeps its ${wanted} RBAC and admission objects: moved into the module call, none deleted or re-created\n`,
  );
}

if (command === 'write') writeState(other);
else checkMoved(other);
