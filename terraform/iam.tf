# One identity per function and per caller, each with only what it uses. No primitive roles; nothing public.
# Each identity is made here unless var.service_accounts names an existing one.

locals {
  service_account_ids = {
    sync      = "${substr(var.name_prefix, 0, 24)}-sync"
    resync    = "${substr(var.name_prefix, 0, 22)}-resync"
    push      = "${substr(var.name_prefix, 0, 24)}-push"
    scheduler = "${substr(var.name_prefix, 0, 19)}-scheduler"
    operator  = "${substr(var.name_prefix, 0, 20)}-operator"
  }
  service_account_purposes = {
    sync      = "memorystore-egress-sync event function"
    resync    = "memorystore-egress-sync resync function"
    push      = "memorystore-egress-sync event delivery (Pub/Sub push to the event function)"
    scheduler = "memorystore-egress-sync scheduled resync caller"
    operator  = "memorystore-egress-sync manual resync caller (impersonated by resync_operators)"
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

  depends_on = [google_project_service.enabled]

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
  # <product>.viewer: read the synced products' instances (get, list), each product's from products.tf. Two products
  # may share one (Redis and Redis Cluster): distinct() grants it once.
  function_roles = distinct([for p in local.synced_products : p.viewer_role])
  # container.clusterViewer: container.clusters.get, which GKE requires before Kubernetes RBAC (kubernetes.tf) decides
  # what the identity may do in the cluster. Granted in each project that holds a synced cluster, once per project,
  # and only on the synced clusters there: an IAM condition on the cluster's resource name, which GKE recognises
  # (container.googleapis.com in https://cloud.google.com/iam/docs/conditions-resource-attributes, names
  # projects/P/locations/L/clusters/C). A custom role could not do that: it narrows permissions, not clusters. The
  # functions never list clusters, which the condition would refuse (the project, not a cluster, is listed).
  cluster_projects = sort(distinct([for c in local.clusters : c.project]))
  cluster_viewer_grants = { for project in local.cluster_projects : project => {
    title       = "synced GKE clusters only"
    description = "The clusters memorystore-egress-sync keeps in step in this project."
    expression = join(" || ", [for c in local.clusters :
      "resource.name == \"projects/${c.project}/locations/${c.location}/clusters/${c.name}\"" if c.project == project
    ])
  } }
  # The product viewers in each synced project (projects.tf: at the folder or organization instead, when one is
  # chosen). The grants in project_id keep their keys from before several clusters and projects.
  viewer_projects = local.memorystore_scope == "project" ? local.memorystore_projects : []
  function_grants = merge(
    { for triple in setproduct(keys(local.function_identities), local.function_roles, local.viewer_projects) :
      triple[2] == var.project_id ? "${triple[0]}/${triple[1]}" : "${triple[0]}/${triple[1]}/${triple[2]}" => {
        member    = local.function_identities[triple[0]]
        role      = triple[1]
        project   = triple[2]
        condition = null
    } },
    { for pair in setproduct(keys(local.function_identities), local.cluster_projects) :
      pair[1] == var.project_id ? "${pair[0]}/roles/container.clusterViewer" : "${pair[0]}/roles/container.clusterViewer/${pair[1]}" => {
        member    = local.function_identities[pair[0]]
        role      = "roles/container.clusterViewer"
        project   = pair[1]
        condition = local.cluster_viewer_grants[pair[1]]
    } },
  )
}

resource "google_project_iam_member" "function_roles" {
  for_each = local.function_grants
  project  = each.value.project
  role     = each.value.role
  member   = each.value.member

  dynamic "condition" {
    for_each = each.value.condition == null ? [] : [each.value.condition]
    content {
      title       = condition.value.title
      description = condition.value.description
      expression  = condition.value.expression
    }
  }
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

# resync is not public: only the listed service accounts, the scheduler and the operator account may invoke it. The
# keys are known when planning (the accounts' emails may not be, on a first apply), as for_each requires.
resource "google_cloud_run_service_iam_member" "resync_invokers" {
  for_each = merge({ for m in var.resync_invokers : m => m }, { scheduler = local.service_account_members["scheduler"], operator = local.service_account_members["operator"] })
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.resync.name
  role     = "roles/run.invoker"
  member   = each.value
}

# People call resync as the operator account. A user's own identity token from gcloud carries gcloud's OAuth client id
# as its audience, and gcloud refuses --audiences for a user account ("Invalid account type for `--audiences`.
# Requires valid service account."), so no user token can name resync's URL. Those listed may mint the operator
# account's identity token for that URL (iam.serviceAccounts.getOpenIdToken, in roles/iam.serviceAccountTokenCreator),
# on this one account only: `gcloud auth print-identity-token --impersonate-service-account=OPERATOR --audiences=URL
# --include-email` (https://cloud.google.com/sdk/gcloud/reference/auth/print-identity-token). Accepting gcloud's
# audience instead would accept any gcloud token of a listed user, minted for any purpose, and tie the check to
# gcloud's client id; here every token stays bound to resync's URL. Who impersonated is in the IAM credentials API's
# Data Access audit logs (GenerateIdToken), when the project records them.
locals {
  operator_account_id = "projects/${var.project_id}/serviceAccounts/${local.service_account_emails["operator"]}"
}

resource "google_service_account_iam_member" "operators_impersonate" {
  for_each           = toset(var.resync_operators)
  service_account_id = local.operator_account_id
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = each.value
}
