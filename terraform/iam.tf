# One identity per function and per caller, each with only what it uses. No primitive roles; nothing public.

resource "google_service_account" "sync" {
  project      = var.project_id
  account_id   = "${substr(var.name_prefix, 0, 24)}-sync"
  display_name = "memorystore-egress-sync event function"
}

resource "google_service_account" "resync" {
  project      = var.project_id
  account_id   = "${substr(var.name_prefix, 0, 22)}-resync"
  display_name = "memorystore-egress-sync resync function"
}

resource "google_service_account" "push" {
  project      = var.project_id
  account_id   = "${substr(var.name_prefix, 0, 24)}-push"
  display_name = "memorystore-egress-sync event delivery (Pub/Sub push to the event function)"
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${substr(var.name_prefix, 0, 19)}-scheduler"
  display_name = "memorystore-egress-sync scheduled resync caller"
}

locals {
  function_identities = { sync = google_service_account.sync.member, resync = google_service_account.resync.member }
  # redis.viewer: read instances (get, list). container.clusterViewer: container.clusters.get, which GKE requires
  # before Kubernetes RBAC (kubernetes.tf) decides what the identity may do in the cluster.
  function_roles = ["roles/redis.viewer", "roles/container.clusterViewer"]
  function_grants = { for pair in setproduct(keys(local.function_identities), local.function_roles) : "${pair[0]}/${pair[1]}" => {
    member = local.function_identities[pair[0]]
    role   = pair[1]
  } }
}

resource "google_project_iam_member" "function_roles" {
  for_each = local.function_grants
  project  = var.project_id
  role     = each.value.role
  member   = each.value.member
}

# The push identity may invoke the event function, and nothing else.
resource "google_cloud_run_service_iam_member" "push_invokes_sync" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.sync.name
  role     = "roles/run.invoker"
  member   = google_service_account.push.member
}

# Pub/Sub's service agent mints the push identity's OIDC tokens. Projects made before April 2021 need this grant;
# it is given on this one account, not project-wide. https://cloud.google.com/pubsub/docs/create-push-subscription
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# resync is not public: only the listed principals and the scheduler may invoke it.
resource "google_cloud_run_service_iam_member" "resync_invokers" {
  for_each = toset(concat(var.resync_invokers, [google_service_account.scheduler.member]))
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.resync.name
  role     = "roles/run.invoker"
  member   = each.value
}
