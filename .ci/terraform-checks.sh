#!/usr/bin/env bash
# Terraform checks that need tools from outside npm (the HCL wiring checks run in `npm test`):
#   1. `tofu fmt -check`, and `tofu validate` of terraform/examples/basic, which loads the module: syntax, references, types, every argument
#      and block against the providers' schemas, required arguments, function calls, variable validations. Against
#      the newest google provider and the floor of its version range; and the release before the floor must fail.
#   2. `tofu plan` of terraform/examples/basic (two clusters) from an empty state, against the newest provider and the
#      floor: what a first `apply` plans, with values unknown until apply left unknown, and no archive written;
#      SYNC_CLUSTERS and the RBAC in both clusters; with every Memorystore product synced; with a third cluster; in a
#      new organisation, whose default build account holds no role; terraform/examples/folder, Memorystore in two
#      projects under a folder (one aggregated sink, viewer roles on the folder), and at an organization. And the
#      plans that must fail: the old RBAC wiring
#      at the floor, a cluster whose DNS endpoint refuses external traffic, a cluster name given twice, a gateway port
#      range needing more than 1,000 Services of the deployment's own, a private
#      endpoint in another region without global access, a function built by the default build account in a new
#      organisation.
#   3. Every resource whose type takes labels (per the provider schema) gets var.labels.
#   4. `tofu console`: the files the module zips are exactly the files .gcloudignore lets a deployment upload.
#   5. checkov, the static security scanner, over terraform/.
#
# The registry that serves the real providers cannot be reached from the build machines, so:
#   - OpenTofu is built from the Go module proxy (version pinned in dev/components/terraform/tofu/go.mod);
#   - each provider is stood in for by dev/components/terraform/schema-provider, which serves that provider's real
#     schema, read out of its prebuilt CDK for Terraform bindings (npm @cdktf/provider-*, generated from the provider's
#     own schema), and plans as the real one does (its plan.go and resource_rules.go say what is modelled, with their
#     sources). Data sources answer from schema-provider/data-sources.json, a minimal stand-in cluster and project.
#     The providers' own value checks (enum values, formats) are not run.
# Built binaries and schemas are cached under .cache/terraform/, keyed by version, so only a cold machine pays
# (OpenTofu takes about 6 minutes on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=$root/.cache/terraform
# Workspaces of this run: the cache (binaries, schemas) may be shared by several checkouts running at once.
mkdir -p "$cache"
scratch=$(mktemp -d "$cache/run-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
components=$root/dev/components/terraform
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0

# name:provider version:npm package of its bindings (whose README names the same provider version).
# google: the newest bound release, the floor of the module's range (versions.tf), and the release before the floor.
providers="google:6.50.0:@cdktf/provider-google@16.12.1 google:6.11.0:@cdktf/provider-google@14.10.0 google:6.10.0:@cdktf/provider-google@14.9.0 kubernetes:2.38.0:@cdktf/provider-kubernetes@12.1.1 archive:2.7.1:@cdktf/provider-archive@11.0.1 time:0.13.1:@cdktf/provider-time@11.0.1"
google_floor=6.11.0
google_below_floor=6.10.0

build_tofu() {
  local version; version=$(cd "$components/tofu" && go list -m -f '{{.Version}}' github.com/opentofu/opentofu)
  tofu=$cache/tofu-$version/tofu
  if [ -x "$tofu" ]; then return; fi
  echo "tofu $version: building (first run only)..." >&2
  local start=$SECONDS
  mkdir -p "$(dirname "$tofu")"
  # version.dev=no: a release build, as OpenTofu's own releases are made (else it reports itself as -dev).
  (cd "$components/tofu" && go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tofu.tmp" github.com/opentofu/opentofu/cmd/tofu)
  mv "$tofu.tmp" "$tofu"
  echo "tofu $version: built in $((SECONDS - start))s" >&2
}

# The stand-in is keyed by a hash of its sources, so a change to it rebuilds it and re-extracts the schemas.
build_mirror() {
  local key; key=$(cat "$components"/schema-provider/*.go "$components"/schema-provider/go.sum | sha256sum | cut -c1-12)
  mirror=$cache/mirror-$key
  local bin=$cache/schema-provider-$key/schema-provider platform; platform=$(go env GOOS)_$(go env GOARCH)
  if [ ! -x "$bin" ]; then
    mkdir -p "$(dirname "$bin")"
    (cd "$components/schema-provider" && go build -trimpath -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
  fi
  for entry in $providers; do
    IFS=: read -r name version package <<<"$entry"
    local dir=$mirror/registry.opentofu.org/hashicorp/$name/$version/$platform
    if [ -s "$dir/schema.json" ]; then continue; fi
    echo "provider $name $version: reading its schema from $package..." >&2
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz)
    grep -q "provider version $version" "$tmp/package/README.md" || { echo "$package does not bind $name $version" >&2; exit 1; }
    mkdir -p "$dir"
    "$bin" extract "$tmp/package" "$dir/schema.json.tmp"
    mv "$dir/schema.json.tmp" "$dir/schema.json"
    cp "$bin" "$dir/terraform-provider-${name}_v$version"
    rm -rf "$tmp"
  done
}

# A copy of terraform/ (and the .gcloudignore it reads): init leaves a lock file with the stand-ins' checksums, which
# must never meet a real `terraform init` in the repository.
workspace() {
  work=$scratch/work
  rm -rf "$work" && mkdir -p "$work"
  cp -r terraform .gcloudignore "$work/"
  rm -rf "$work"/terraform/examples/*/.terraform "$work"/terraform/examples/*/.terraform.lock.hcl
  export TF_CLI_CONFIG_FILE=$scratch/tofurc TF_IN_AUTOMATION=1
  cat >"$TF_CLI_CONFIG_FILE" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.opentofu.org/hashicorp/*"]
  }
}
EOF
}

validate() {
  local dir=$1
  "$tofu" -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
  "$tofu" -chdir="$dir" validate -no-color
}

# A copy of the workspace whose example pins the google provider to one release (an override file adjusts one
# provider's constraint; the module's own range still applies).
pinned_copy() {
  local name=$1 release=$2 copy=$scratch/work-$1
  rm -rf "$copy" && cp -r "$work" "$copy"
  rm -rf "$copy"/terraform/.terraform* "$copy"/terraform/examples/basic/.terraform*
  printf 'terraform {\n  required_providers {\n    google = {\n      source  = "hashicorp/google"\n      version = "%s"\n    }\n  }\n}\n' "$release" >"$copy/terraform/examples/basic/google_pin_override.tf"
  echo "$copy"
}

# Two clusters, the second in a project of its own and with its own Istio namespace (the stand-in answers for it by name).
plan_vars=(-var project_id=example-project -var region=us-central1 -var gke_cluster_name=mesh -var gke_cluster_location=us-central1
  -var 'second_cluster={ name = "mesh-west", location = "us-west1", project = "example-west", istio_namespace = "mesh-egress" }'
  -var 'resync_operators=["user:oncall@example.com"]')
plan() {
  local dir=$1
  "$tofu" -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
  "$tofu" -chdir="$dir" plan -input=false -lock=false -no-color -out="$dir.tfplan" "${plan_vars[@]}"
}

# Plans from an empty state, as a first `terraform apply` does; the summary line says what it would create.
plan_succeeds() {
  local dir=$1 label=$2
  if ! plan "$dir" >"$dir.plan.log" 2>&1; then
    echo "tofu plan failed ($label):" >&2
    cat "$dir.plan.log" >&2
    exit 1
  fi
  echo "plan ($label): $(grep -E '^Plan: ' "$dir.plan.log")"
}

# A plan that must fail, with the given message (tofu wraps long messages: compared with the lines joined).
plan_fails_with() {
  local dir=$1 label=$2 message=$3
  if plan "$dir" >"$dir.plan.log" 2>&1 || ! tr -s ' \n' '  ' <"$dir.plan.log" | grep -qF "$message"; then
    echo "tofu plan did not fail as expected ($label): wanted \"$message\"" >&2
    cat "$dir.plan.log" >&2
    exit 1
  fi
  echo "plan refuses $label, as it should: $message"
}

# The floor is the first release with everything the module uses: it validates and plans, the release before fails.
provider_floor() {
  local floor below
  floor=$(pinned_copy floor "$google_floor")
  validate "$floor/terraform/examples/basic" | sed "s/^/google $google_floor: /"
  plan_succeeds "$floor/terraform/examples/basic" "google $google_floor, empty state"
  below=$(pinned_copy below-floor "$google_below_floor")
  sed -i "s/>= ${google_floor%.*}, < 7.0/>= ${google_below_floor%.*}, < 7.0/" "$below/terraform/versions.tf" "$below/terraform/examples/basic/versions.tf"
  if validate "$below/terraform/examples/basic" >"$below.log" 2>&1 || ! grep -q 'control_plane_endpoints_config' "$below.log"; then
    echo "google $google_below_floor should lack control_plane_endpoints_config; the floor $google_floor may be too high:" >&2
    cat "$below.log" >&2
    exit 1
  fi
  echo "google $google_below_floor is refused (no control_plane_endpoints_config), so $google_floor is the floor"
}

# The RBAC manifests as they were built before: from the accounts' `email`, which google before 6.13 plans as
# unknown. kubernetes_manifest must refuse that at plan; from 6.13 on the email is known at plan and it passes.
old_rbac_wiring() {
  local copy=$1
  local old='rbac_identities = { sync = google_service_account.this["sync"].email, resync = google_service_account.this["resync"].email }'
  sed -i "s|^  rbac_identities = .*|  $old|" "$copy/terraform/kubernetes.tf"
  grep -qF "$old" "$copy/terraform/kubernetes.tf" || { echo "could not put the old RBAC wiring back in kubernetes.tf" >&2; exit 1; }
}

# The admission policy is in the first plan: in each cluster the four policies (gateway Service, port Services, Istio
# objects, audit outbox) and their bindings, wholly known, naming both identities.
admission_policy_planned() {
  local log=$1.plan.log planned
  planned=$(grep -c 'kubernetes_manifest.admission_policy\["ValidatingAdmissionPolicy' "$log" || true)
  if [ "$planned" != 16 ] || [ "$(grep -c 'request.userInfo.username in \[.*sync@.*resync@' "$log")" != 8 ]; then
    echo "the plan should create 4 admission policies and 4 bindings naming both function identities in each of the 2 clusters; it plans $planned objects" >&2
    exit 1
  fi
  echo "plan creates the admission policies and their bindings in both clusters, for both function identities"
}

# The two clusters of the example: SYNC_CLUSTERS lists both with their endpoints, and the RBAC and admission policy go
# to each cluster through its own provider (the stand-in records the host each manifest was planned against).
clusters_planned() {
  local dir=$1
  "$tofu" -chdir="$dir" show -json "$dir.tfplan" >"$dir.plan.json"
  "$node" "$components/clusters-planned.mjs" "$dir.plan.json" "$SCHEMA_PROVIDER_MANIFEST_LOG" "$SCHEMA_PROVIDER_DATA_SOURCES"
}

# A deployment made before several clusters had its RBAC as resources of the module itself: planning from its state
# moves them into the primary cluster's module call and re-creates nothing (kubernetes.tf's `moved` blocks).
rbac_moves_into_module() {
  local before; before=$(pinned_copy before-clusters 6.50.0)
  local example=$before/terraform/examples/basic
  "$node" "$components/state-before-clusters.mjs" write "$work/terraform/examples/basic.plan.json" "$example/terraform.tfstate"
  plan_succeeds "$example" "from the state of a deployment made before several clusters"
  grep -q 'has moved to module.memorystore_egress_sync.module.primary_cluster_rbac.kubernetes_manifest' "$example.plan.log" || { echo "the plan should say the RBAC has moved" >&2; exit 1; }
  "$tofu" -chdir="$example" show -json "$example.tfplan" >"$example.plan.json"
  "$node" "$components/state-before-clusters.mjs" check "$example.plan.json" "$work/terraform/examples/basic.plan.json"
}

# A project of an organisation created after May 2024, whose Compute Engine default service account holds no role: the
# stand-in fails a function that names no build account (schema-provider/resource_rules.go). The example plans there;
# the module as it was before it made a build account of its own does not.
new_organisation() {
  SCHEMA_PROVIDER_NEW_ORGANISATION=1 plan_succeeds "$work/terraform/examples/basic" "a new organisation (no default grants)"
  local old; old=$(pinned_copy default-build-account 6.50.0)
  sed -i 's/^    service_account   = local.build_service_account$/    service_account   = var.build_service_account/' "$old/terraform/functions.tf"
  grep -q 'service_account   = var.build_service_account' "$old/terraform/functions.tf" || { echo "could not put the default build account back in functions.tf" >&2; exit 1; }
  SCHEMA_PROVIDER_NEW_ORGANISATION=1 plan_fails_with "$old/terraform/examples/basic" "a function built by the default build account in a new organisation" "Build failed: missing permission on the build service account"
}

# The folder example: the listed projects' audit entries through one aggregated sink on the folder (include_children,
# only their Admin Activity logs), its writer allowed to publish to the events topic, and each product's viewer role
# on the folder instead of in each project. Its cluster is the stand-in's, as in the basic example.
folder_plan() {
  "$tofu" -chdir="$1" init -backend=false -input=false -no-color >/dev/null
  "$tofu" -chdir="$1" plan -input=false -lock=false -no-color -var project_id=example-project \
    -var gke_cluster_name=mesh -var gke_cluster_location=us-central1 -var memorystore_folder=folders/123456789012 \
    -var "memorystore_projects=${2:-[\"example-payments\",\"example-orders\"]}"
}

folder_example() {
  local dir=$work/terraform/examples/folder log=$work/terraform/examples/folder.plan.log
  if ! folder_plan "$dir" >"$log" 2>&1; then
    echo "tofu plan failed (folder example):" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "plan (folder example): $(grep -E '^Plan: ' "$log")"
  local wanted
  for wanted in 'google_logging_folder_sink.memorystore[0] will be created' 'include_children = true' \
    'logName=\"projects/example-payments/logs/cloudaudit.googleapis.com%2Factivity\" OR logName=\"projects/example-orders/logs/cloudaudit.googleapis.com%2Factivity\"' \
    'google_pubsub_topic_iam_member.memorystore_sink_publishers["folder"] will be created' \
    'google_folder_iam_member.function_roles["sync/roles/redis.viewer"] will be created' \
    'google_folder_iam_member.function_roles["resync/roles/redis.viewer"] will be created'; do
    grep -qF "$wanted" "$log" || { echo "the folder example's plan should have: $wanted" >&2; exit 1; }
  done
  if grep -qE 'google_logging_project_sink.memorystore_projects|google_project_iam_member.function_roles\["[a-z]+/roles/redis.viewer' "$log"; then
    echo "the folder example should grant the viewer role and route the other projects at the folder only" >&2
    exit 1
  fi
  echo "plan routes both projects through one folder sink and grants the viewer role on the folder only"
  ! grep -q 'cloudasset' "$log" || { echo "a folder with listed projects should not search the inventory" >&2; exit 1; }
  # No project listed: every project under the folder, found by the resync with Cloud Asset Inventory, whose viewer
  # role goes to the resync identity on the folder alone; the sink routes every project's Admin Activity entries.
  local every=$work/terraform/examples/folder.every.plan.log
  folder_plan "$dir" '[]' >"$every" 2>&1 || { cat "$every" >&2; exit 1; }
  for wanted in 'google_logging_folder_sink.memorystore[0] will be created' \
    'logName:\"/logs/cloudaudit.googleapis.com%2Factivity\" AND NOT logName=\"projects/example-project/logs/cloudaudit.googleapis.com%2Factivity\"' \
    'google_folder_iam_member.function_roles["resync/roles/cloudasset.viewer"] will be created' \
    'google_folder_iam_member.function_roles["sync/roles/redis.viewer"] will be created' \
    'google_project_service.enabled["cloudasset.googleapis.com"] will be created'; do
    grep -qF "$wanted" "$every" || { echo "the folder plan with no project listed should have: $wanted" >&2; exit 1; }
  done
  grep -qE '"MEMORYSTORE_SCOPE" += "folders/123456789012"' "$every" || { echo "the functions should get MEMORYSTORE_SCOPE" >&2; exit 1; }
  ! grep -qF 'function_roles["sync/roles/cloudasset.viewer"]' "$every" || { echo "only the resync searches the inventory" >&2; exit 1; }
  echo "plan of every project under the folder: MEMORYSTORE_SCOPE, the inventory viewer there for the resync only"
  # The same at the organization; and a folder and an organization at once are refused.
  local org=$scratch/work-organization
  rm -rf "$org" && cp -r "$work" "$org" && rm -rf "$org"/terraform/examples/folder/.terraform*
  printf 'module "memorystore_egress_sync" {\n  memorystore_folder       = null\n  memorystore_organization = "organizations/123456789012"\n}\n' >"$org/terraform/examples/folder/org_override.tf"
  folder_plan "$org/terraform/examples/folder" >"$org.plan.log" 2>&1 || { cat "$org.plan.log" >&2; exit 1; }
  for wanted in 'google_logging_organization_sink.memorystore[0] will be created' 'include_children = true' \
    'google_pubsub_topic_iam_member.memorystore_sink_publishers["organization"] will be created' \
    'google_organization_iam_member.function_roles["sync/roles/redis.viewer"] will be created'; do
    grep -qF "$wanted" "$org.plan.log" || { echo "the organization plan should have: $wanted" >&2; grep -A12 'organization_sink' "$org.plan.log" >&2; exit 1; }
  done
  grep -qE 'org_id += "123456789012"' "$org.plan.log" || { echo "the organization sink should be on organization 123456789012" >&2; exit 1; }
  ! grep -q 'google_folder_iam_member\|google_logging_folder_sink' "$org.plan.log" || { echo "the organization plan should make nothing at a folder" >&2; exit 1; }
  echo "plan at the organization: one organization sink, the viewer role on the organization only"
  printf 'module "memorystore_egress_sync" {\n  memorystore_organization = "organizations/123456789012"\n}\n' >"$org/terraform/examples/folder/org_override.tf"
  if folder_plan "$org/terraform/examples/folder" >"$org.plan.log" 2>&1 || ! grep -qF 'Set memorystore_folder or memorystore_organization, not both' "$org.plan.log"; then
    echo "a folder and an organization at once should be refused:" >&2
    cat "$org.plan.log" >&2
    exit 1
  fi
  echo "plan refuses a folder and an organization at once, as it should"
}

# The basic example with a second Memorystore project listed and no folder: that project gets a sink of its own and the
# viewer roles, its writer may publish to the events topic, and project_id's grants keep their addresses.
project_list_example() {
  local list=$scratch/work-project-list
  rm -rf "$list" && cp -r "$work" "$list" && rm -rf "$list"/terraform/examples/basic/.terraform*
  printf 'module "memorystore_egress_sync" {\n  memorystore_projects = ["example-project", "example-payments"]\n}\n' >"$list/terraform/examples/basic/projects_override.tf"
  plan_succeeds "$list/terraform/examples/basic" "Memorystore in two listed projects"
  local wanted
  for wanted in 'google_logging_project_sink.memorystore_projects["example-payments"] will be created' \
    'google_pubsub_topic_iam_member.memorystore_sink_publishers["example-payments"] will be created' \
    'google_project_iam_member.function_roles["sync/roles/redis.viewer/example-payments"] will be created' \
    'google_project_iam_member.function_roles["resync/roles/redis.viewer"] will be created'; do
    grep -qF "$wanted" "$list/terraform/examples/basic.plan.log" || { echo "the project-list plan should have: $wanted" >&2; exit 1; }
  done
  ! grep -q 'google_logging_folder_sink\|google_folder_iam_member' "$list/terraform/examples/basic.plan.log" || { echo "a project list should make nothing at a folder" >&2; exit 1; }
  echo "plan gives the second listed project a sink and the viewer roles; project_id's grants keep their keys"
}

plan_checks() {
  export SCHEMA_PROVIDER_DATA_SOURCES=$components/schema-provider/data-sources.json
  local manifest_log=$work/manifests-planned.log
  rm -f "$manifest_log"
  SCHEMA_PROVIDER_MANIFEST_LOG=$manifest_log plan_succeeds "$work/terraform/examples/basic" "newest providers, empty state"
  # The archive is written by apply on the machine that uploads it, never by plan.
  if [ -n "$(find "$work/terraform/examples/basic" -name '*.zip' -print -quit)" ]; then
    echo "the plan wrote the source archive: apply on another machine would not find it" >&2
    exit 1
  fi
  echo "the plan wrote no archive"
  new_organisation
  admission_policy_planned "$work/terraform/examples/basic"
  SCHEMA_PROVIDER_MANIFEST_LOG=$manifest_log clusters_planned "$work/terraform/examples/basic"
  folder_example
  project_list_example
  rbac_moves_into_module
  provider_floor
  local old; old=$(pinned_copy old-rbac "$google_floor")
  old_rbac_wiring "$old"
  plan_fails_with "$old/terraform/examples/basic" "the old RBAC wiring (google $google_floor)" "API did not recognize GroupVersionKind from manifest"
  old=$(pinned_copy old-rbac-newest 6.50.0)
  old_rbac_wiring "$old"
  plan_succeeds "$old/terraform/examples/basic" "the old RBAC wiring, google 6.50.0 (emails known at plan since 6.13)"
  # Every product synced: four sink clauses, three viewer roles (Redis Cluster's is Redis's, granted once), three APIs.
  local products; products=$(pinned_copy all-products 6.50.0)
  printf 'module "memorystore_egress_sync" {\n  memorystore_products = ["redis", "valkey", "memcached", "redis-cluster"]\n}\n' >"$products/terraform/examples/basic/products_override.tf"
  plan_succeeds "$products/terraform/examples/basic" "every Memorystore product"
  for role in roles/redis.viewer roles/memorystore.viewer roles/memcache.viewer; do
    [ "$(grep -c "role *= \"$role\"" "$products/terraform/examples/basic.plan.log")" = 2 ] || { echo "the plan should grant $role to both function identities, once each" >&2; exit 1; }
  done
  echo "plan grants each product's viewer role once to each function identity"
  local closed; closed=$(pinned_copy dns-closed 6.50.0)
  sed 's/"allow_external_traffic": true/"allow_external_traffic": false/' "$SCHEMA_PROVIDER_DATA_SOURCES" >"$closed.data-sources.json"
  SCHEMA_PROVIDER_DATA_SOURCES=$closed.data-sources.json plan_fails_with "$closed/terraform/examples/basic" "a DNS endpoint closed to external traffic" "does not allow external traffic on its DNS-based control-plane endpoint"
  # The same check holds per cluster: only the second cluster's DNS endpoint closed.
  closed=$(pinned_copy second-dns-closed 6.50.0)
  sed '/us-west1\.gke\.goog/s/"allow_external_traffic": true/"allow_external_traffic": false/' "$SCHEMA_PROVIDER_DATA_SOURCES" >"$closed.data-sources.json"
  SCHEMA_PROVIDER_DATA_SOURCES=$closed.data-sources.json plan_fails_with "$closed/terraform/examples/basic" "the second cluster's DNS endpoint closed to external traffic" "Cluster mesh-west is reached by its DNS-based endpoint (gke_endpoint or its endpoint = \"dns\"), but it does not allow external traffic"
  # A third cluster in the second one's project adds no grant (container.clusterViewer once per project), and a
  # cluster name given twice is refused before anything is planned.
  local third; third=$(pinned_copy third-cluster 6.50.0)
  printf 'module "memorystore_egress_sync" {\n  additional_clusters = [var.second_cluster, { name = "mesh-west-2", location = "us-west1-a", project = "example-west" }]\n}\n' >"$third/terraform/examples/basic/clusters_override.tf"
  plan_succeeds "$third/terraform/examples/basic" "a third cluster in the second cluster's project"
  [ "$(grep -c 'role *= "roles/container.clusterViewer"' "$third/terraform/examples/basic.plan.log")" = 4 ] || { echo "the plan should grant container.clusterViewer to both function identities once per project (2 projects)" >&2; exit 1; }
  echo "plan grants container.clusterViewer once per identity in each of the 2 projects of 3 clusters"
  printf 'module "memorystore_egress_sync" {\n  additional_clusters = [var.second_cluster, { name = "mesh", location = "europe-west1", project = "example-eu" }]\n}\n' >"$third/terraform/examples/basic/clusters_override.tf"
  plan_fails_with "$third/terraform/examples/basic" "a cluster name given twice" "Cluster name mesh is given 2 times"
  # A gateway port range cut into more Services of the deployment's own than its RBAC and admission policy can name.
  local ports; ports=$(pinned_copy port-services 6.50.0)
  printf 'module "memorystore_egress_sync" {\n  gateway_port_range        = { from = 1, to = 65535 }\n  gateway_ports_per_service = 20\n}\n' >"$ports/terraform/examples/basic/ports_override.tf"
  plan_fails_with "$ports/terraform/examples/basic" "more port Services than can be named" "makes 3276 Services of the deployment's own, more than the 1000"
  # Topics under a customer-managed key: the Pub/Sub service agent is granted the key, and every topic waits for it.
  local kms; kms=$(pinned_copy kms 6.50.0)
  printf 'module "memorystore_egress_sync" {\n  kms_key_name = "projects/example-project/locations/us-central1/keyRings/r/cryptoKeys/k"\n}\n' >"$kms/terraform/examples/basic/kms_override.tf"
  plan_succeeds "$kms/terraform/examples/basic" "topics under a customer-managed key"
  grep -q 'google_kms_crypto_key_iam_member.pubsub_agent_uses_key\[0\] will be created' "$kms/terraform/examples/basic.plan.log" || { echo "the plan should grant the Pub/Sub service agent the key" >&2; exit 1; }
  echo "plan grants the Pub/Sub service agent the topics' key"
  # The second cluster (us-west1) reached by its private endpoint through the functions' connector (us-central1):
  # refused while its control plane has no global access, planned once it has.
  local private; private=$(pinned_copy private-elsewhere 6.50.0)
  printf 'module "memorystore_egress_sync" {\n  additional_clusters = [merge(var.second_cluster, { endpoint = "private" })]\n  vpc_connector       = "projects/example-project/locations/us-central1/connectors/c"\n}\n' >"$private/terraform/examples/basic/private_override.tf"
  plan_fails_with "$private/terraform/examples/basic" "a private endpoint in another region without global access" "Cluster mesh-west is reached by its private endpoint from the functions' region us-central1, but it is in us-west1 and its control plane has no global access"
  sed 's/"private_endpoint": "10.8.0.2",/"private_endpoint": "10.8.0.2", "master_global_access_config": [{ "enabled": true }],/' "$SCHEMA_PROVIDER_DATA_SOURCES" >"$private.data-sources.json"
  grep -q master_global_access_config "$private.data-sources.json" || { echo "could not turn global access on in the stand-in cluster" >&2; exit 1; }
  SCHEMA_PROVIDER_DATA_SOURCES=$private.data-sources.json plan_succeeds "$private/terraform/examples/basic" "a private endpoint in another region, with global access"
}

# The check must be able to fail: an argument the google provider does not have is refused.
validate_rejects_unknown_arguments() {
  local broken=$scratch/work-broken
  rm -rf "$broken" && cp -r "$work" "$broken"
  printf 'resource "google_pubsub_topic" "broken" {\n  name             = "broken"\n  no_such_argument = true\n}\n' >"$broken/terraform/broken.tf"
  if validate "$broken/terraform/examples/basic" >"$broken.log" 2>&1 || ! grep -q 'Unsupported argument' "$broken.log"; then
    echo "tofu validate accepted an unknown argument: the schema stand-in is not enforcing schemas" >&2
    cat "$broken.log" >&2
    exit 1
  fi
  echo "validate refuses an unknown argument, as it should"
}

# The archive's file list, evaluated by OpenTofu, against the files a `gcloud` deployment uploads (the `ignore`
# package applies .gcloudignore as gcloud does).
archive_matches_gcloudignore() {
  local vars=(-var project_id=example-project -var region=us-central1 -var gke_cluster_name=c -var gke_cluster_location=us-central1 -var "source_dir=$root")
  "$tofu" -chdir="$work/terraform" init -backend=false -input=false -no-color >/dev/null
  local archived uploaded
  archived=$(echo 'join("\n", local.source_files)' | "$tofu" -chdir="$work/terraform" console -no-color "${vars[@]}" | sed -e '/^<<EOT$/d' -e '/^EOT$/d')
  uploaded=$("$node" --input-type=module -e "
    import ignore from 'ignore'; import { readFileSync } from 'node:fs'; import { execFileSync } from 'node:child_process';
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const rules = ignore().add(readFileSync('.gcloudignore', 'utf8'));
    console.log(files.filter((f) => !rules.ignores(f)).sort().join('\n'));")
  if [ "$archived" != "$(sort <<<"$uploaded")" ]; then
    echo "the Terraform archive and .gcloudignore disagree:" >&2
    diff <(echo "$archived") <(sort <<<"$uploaded") >&2 || true
    exit 1
  fi
  echo "archive holds the same $(wc -l <<<"$archived") files a gcloud deployment uploads"
}

# npm scripts run on the Node of the `node` dev dependency; the same here.
node=$root/node_modules/.bin/node
[ -x "$node" ] || node=node
if ! command -v go >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED tofu validate: it needs Go (to build OpenTofu and the provider stand-in) and npm (provider schemas)" >&2
else
  build_tofu
  build_mirror
  workspace
  "$tofu" fmt -check -recursive -diff "$work/terraform"
  validate "$work/terraform/examples/basic"
  validate_rejects_unknown_arguments
  "$node" "$components/labels-everywhere.mjs" "$mirror/registry.opentofu.org/hashicorp/google/6.50.0/$(go env GOOS)_$(go env GOARCH)/schema.json" terraform
  plan_checks
  archive_matches_gcloudignore
fi

venv=$root/.cache/checkov-venv
if [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "checkov==3.3.30"
fi
# --skip-download keeps it offline (it would otherwise fetch policy metadata from its vendor).
"$venv/bin/checkov" --directory terraform --framework terraform --skip-download --quiet --compact
