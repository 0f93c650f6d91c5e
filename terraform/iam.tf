# One identity per function and per caller, each with only what it uses. No primitive roles; nothing public.
# Each identity is made here unless var.service_accounts names an existing one.

locals {
  service_account_ids = {
    sync      = "${substr(var.name_prefix, 0, 24)}-sync"
    resync    = "${substr(var.name_prefix, 0, 22)}-resync"
    push      = "${substr(var.name_prefix, 0, 24)}-push"
    scheduler = "${substr(var.name_prefix, 0, 19)}-scheduler"
  }
  service_account_purposes = {
    sync      = "memorystore-egress-sync event function"
    resync    = "memorystore-egress-sync resync function"
    push      = "memorystore-egress-sync event delivery (Pub/Sub push to the event function)"
    scheduler = "memorystore-egress-sync scheduled resync caller"
  }
  created_service_accounts = { for who, id in local.service_account_ids : who => id if var.service_accounts[who] == null }

  # For Google resources: the account's own attribute, so that they wait for the account to exist.
  service_account_emails  = { for who in keys(local.service_account_ids) : who => coalesce(var.service_accounts[who], try(google_service_account.this[who].email, null)) }
  service_account_members = { for who, email in local.service_account_emails : who => "serviceAccount:${email}" }
  # Known when planning, whatever the provider version: a user-managed account's email is <account id>@<project
  # id>.iam.gserviceaccount.com (https://cloud.google.com/iam/docs/service-accounts-create). Kubernetes manifests must
  # be wholly known at plan, and google < 6.13 plans a new account's email as unknown (kubernetes.tf).
  service_account_emails_at_plan = { for who, id in local.service_account_ids : who => coalesce(var.service_accounts[who], "${id}@${var.project_id}.iam.gserviceaccount.com") }
}

resource "google_service_account" "this" {
  for_each     = local.created_service_accounts
  project      = var.project_id
  account_id   = each.value
  display_name = local.service_account_purposes[each.key]

  lifecycle {
    postcondition {
      condition     = self.email == local.service_account_emails_at_plan[each.key]
      error_message = "The ${each.key} service account's email ${self.email} is not the one the Kubernetes RBAC was planned for (${local.service_account_emails_at_plan[each.key]})."
    }
  }
}

# The accounts had one resource each before var.service_accounts: keep them rather than replace them.
moved {
  from = google_service_account.sync
  to   = google_service_account.this["sync"]
}
moved {
  from = google_service_account.resync
  to   = google_service_account.this["resync"]
}
moved {
  from = google_service_account.push
  to   = google_service_account.this["push"]
}
moved {
  from = google_service_account.scheduler
  to   = google_service_account.this["scheduler"]
}

locals {
  function_identities = { sync = local.service_account_members["sync"], resync = local.service_account_members["resync"] }
  # <product>.viewer: read the synced products' instances (get, list). container.clusterViewer: container.clusters.get,
  # which GKE requires before Kubernetes RBAC (kubernetes.tf) decides what the identity may do in the cluster.
  # Redis Cluster's redis.clusters.get and .list are in roles/redis.viewer too: distinct() grants it once.
  product_viewer_roles = { redis = "roles/redis.viewer", valkey = "roles/memorystore.viewer", memcached = "roles/memcache.viewer", redis-cluster = "roles/redis.viewer" }
  function_roles       = distinct(concat([for p in distinct(var.memorystore_products) : local.product_viewer_roles[p]], ["roles/container.clusterViewer"]))
  # container.clusterViewer again in every other project that holds a synced cluster, once per project however many
  # clusters it holds. The grants in project_id keep their keys from before several clusters.
  other_cluster_projects = sort(distinct([for c in local.clusters : c.project if c.project != var.project_id]))
  function_grants = merge(
    { for pair in setproduct(keys(local.function_identities), local.function_roles) : "${pair[0]}/${pair[1]}" => {
      member  = local.function_identities[pair[0]]
      role    = pair[1]
      project = var.project_id
    } },
    { for pair in setproduct(keys(local.function_identities), local.other_cluster_projects) : "${pair[0]}/roles/container.clusterViewer/${pair[1]}" => {
      member  = local.function_identities[pair[0]]
      role    = "roles/container.clusterViewer"
      project = pair[1]
    } },
  )
}

resource "google_project_iam_member" "function_roles" {
  for_each = local.function_grants
  project  = each.value.project
  role     = each.value.role
  member   = each.value.member
}

# The push identity may invoke the event function, and nothing else.
resource "google_cloud_run_service_iam_member" "push_invokes_sync" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.sync.name
  role     = "roles/run.invoker"
  member   = local.service_account_members["push"]
}

# Pub/Sub's service agent mints the push identity's OIDC tokens. Projects made before April 2021 need this grant;
# it is given on this one account, not project-wide. https://cloud.google.com/pubsub/docs/create-push-subscription
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = "projects/${var.project_id}/serviceAccounts/${local.service_account_emails["push"]}"
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# resync is not public: only the listed principals and the scheduler may invoke it. The keys are known when planning
# (the scheduler's email may not be, on a first apply), as for_each requires.
resource "google_cloud_run_service_iam_member" "resync_invokers" {
  for_each = merge({ for m in var.resync_invokers : m => m }, { scheduler = local.service_account_members["scheduler"] })
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.resync.name
  role     = "roles/run.invoker"
  member   = each.value
}
