# Memorystore instances in several projects (memorystore_projects), e.g. the service projects of a Shared VPC. Their
# audit entries reach the same events topic, through a sink in each project, or one aggregated sink at the folder or
# organization that holds them; the functions read their instances with each synced product's viewer role, granted
# in each project or once there. project_id keeps its own sink (pubsub.tf) and grants (iam.tf), so a single-project
# deployment is exactly as before. A folder or organization with no list syncs every project under it: the resync
# function finds their instances with Cloud Asset Inventory (MEMORYSTORE_SCOPE), so it alone gets
# roles/cloudasset.viewer, there and nowhere else.
locals {
  memorystore_projects = length(var.memorystore_projects) > 0 ? distinct(var.memorystore_projects) : [var.project_id]
  # The synced projects project_id's own sink does not already cover.
  other_memorystore_projects = [for p in local.memorystore_projects : p if p != var.project_id]
  # Where the viewer roles and the other projects' sink go: "project", or the folder or organization chosen.
  memorystore_scope = coalesce(
    var.memorystore_organization != null ? "organization" : null,
    var.memorystore_folder != null ? "folder" : null,
    "project",
  )
  # An aggregated sink sees every project under it: only the synced projects' Admin Activity entries are routed, so
  # the topic carries nothing the functions would only acknowledge and drop.
  activity_log  = "logs/cloudaudit.googleapis.com%2Factivity"
  activity_logs = { for p in local.memorystore_projects : p => "logName=\"projects/${p}/${local.activity_log}\"" }
  other_projects_filter = join(" AND ", [
    "(${join(" OR ", [for p in local.other_memorystore_projects : local.activity_logs[p]])})",
    "(${join(" OR ", local.product_clauses)})",
  ])
  # MEMORYSTORE_SCOPE: the folder or organization, when no project is listed; empty otherwise.
  inventory_scope = local.memorystore_scope != "project" && length(var.memorystore_projects) == 0 ? (
    local.memorystore_scope == "folder" ? var.memorystore_folder : var.memorystore_organization
  ) : ""
  # Every project under the scope: the Admin Activity entries of all of them but project_id (its own sink has those).
  scope_filter = join(" AND ", [
    "logName:\"/${local.activity_log}\"",
    "NOT logName=\"projects/${var.project_id}/${local.activity_log}\"",
    "(${join(" OR ", local.product_clauses)})",
  ])
  aggregated_filter = local.inventory_scope != "" ? local.scope_filter : local.other_projects_filter
  aggregated_sink   = local.memorystore_scope != "project" && (local.inventory_scope != "" || length(local.other_memorystore_projects) > 0)
  # The viewer grants of the functions at the folder or organization, one per identity and role.
  identity_roles = setproduct(keys(local.function_identities), local.function_roles)
  scope_grants = { for pair in local.identity_roles : "${pair[0]}/${pair[1]}" => {
    member = local.function_identities[pair[0]]
    role   = pair[1]
  } if local.memorystore_scope != "project" }
  # searchAllResources needs cloudasset.assets.searchAllResources at the scope searched; only a resync searches.
  inventory_grants = local.inventory_scope != "" ? {
    "resync/roles/cloudasset.viewer" = { member = local.function_identities["resync"], role = "roles/cloudasset.viewer" }
  } : {}
}

resource "google_logging_project_sink" "memorystore_projects" {
  for_each               = local.memorystore_scope == "project" ? toset(local.other_memorystore_projects) : toset([])
  project                = each.value
  name                   = "${var.name_prefix}-memorystore"
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter                 = "${local.activity_logs[each.value]} AND (${join(" OR ", local.product_clauses)})"
  unique_writer_identity = true

  depends_on = [google_project_service.enabled]
}

# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/logging_folder_sink: with
# include_children, the entries of every project under the folder are matched against the filter.
resource "google_logging_folder_sink" "memorystore" {
  count            = local.aggregated_sink && local.memorystore_scope == "folder" ? 1 : 0
  folder           = var.memorystore_folder
  name             = "${var.name_prefix}-memorystore"
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter           = local.aggregated_filter
  include_children = true

  depends_on = [google_project_service.enabled]
}

resource "google_logging_organization_sink" "memorystore" {
  count            = local.aggregated_sink && local.memorystore_scope == "organization" ? 1 : 0
  org_id           = trimprefix(var.memorystore_organization, "organizations/")
  name             = "${var.name_prefix}-memorystore"
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter           = local.aggregated_filter
  include_children = true

  depends_on = [google_project_service.enabled]
}

# Each of those sinks' writers may publish to the events topic, and nothing else. The keys are known when planning.
resource "google_pubsub_topic_iam_member" "memorystore_sink_publishers" {
  for_each = merge(
    { for p, sink in google_logging_project_sink.memorystore_projects : p => sink.writer_identity },
    { for i, sink in google_logging_folder_sink.memorystore : "folder" => sink.writer_identity },
    { for i, sink in google_logging_organization_sink.memorystore : "organization" => sink.writer_identity },
  )
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = each.value
}

resource "google_folder_iam_member" "function_roles" {
  for_each = local.memorystore_scope == "folder" ? merge(local.scope_grants, local.inventory_grants) : {}
  folder   = var.memorystore_folder
  role     = each.value.role
  member   = each.value.member
}

resource "google_organization_iam_member" "function_roles" {
  for_each = local.memorystore_scope == "organization" ? merge(local.scope_grants, local.inventory_grants) : {}
  org_id   = trimprefix(var.memorystore_organization, "organizations/")
  role     = each.value.role
  member   = each.value.member
}
