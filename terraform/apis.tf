# The APIs the deployment uses, enabled when enable_apis is true (for a project that has them on already, or whose
# APIs are managed elsewhere, set it false). Never disabled on destroy: other workloads of the project may use them.
locals {
  required_apis = [
    "artifactregistry.googleapis.com", # images the function builds produce
    "bigquery.googleapis.com",         # the audit table
    "cloudbuild.googleapis.com",       # builds the functions
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "container.googleapis.com", # reads the cluster
    "iam.googleapis.com",
    "iamcredentials.googleapis.com", # operators mint the operator account's identity token
    "logging.googleapis.com",        # the sink and the log-based metrics
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # 2nd-gen functions run on Cloud Run
    "storage.googleapis.com",
  ]
  # Each synced product's own admin API (products.tf).
  product_apis = distinct([for p in local.synced_products : p.service])
  # Cloud Asset Inventory, searched by the resync under a folder or organization (projects.tf), billed here.
  inventory_apis = local.inventory_scope != "" ? ["cloudasset.googleapis.com"] : []
  enabled_apis   = var.enable_apis ? toset(concat(local.required_apis, local.product_apis, local.inventory_apis, var.vpc_connector == null ? [] : ["vpcaccess.googleapis.com"])) : toset([])
}

resource "google_project_service" "enabled" {
  for_each                   = local.enabled_apis
  project                    = var.project_id
  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}
