data "google_project" "this" {
  project_id = var.project_id
}

data "google_container_cluster" "target" {
  project  = var.project_id
  name     = var.gke_cluster_name
  location = var.gke_cluster_location
}

locals {
  source_dir   = coalesce(var.source_dir, "${path.module}/..")
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # The resync function's own URL is its identity-token audience; 2nd-gen functions answer on this address too, and
  # it is known before the function exists, so the function can be told its own audience.
  resync_function_name = "${var.name_prefix}-resync"
  resync_audience      = "https://${var.region}-${var.project_id}.cloudfunctions.net/${local.resync_function_name}"

  gke_endpoint = var.gke_use_dns_endpoint ? data.google_container_cluster.target.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint : data.google_container_cluster.target.endpoint
  # A DNS endpoint is served with a publicly trusted certificate: no CA is passed.
  gke_ca = var.gke_use_dns_endpoint ? "" : data.google_container_cluster.target.master_auth[0].cluster_ca_certificate

  resync_principals = concat([for m in var.resync_invokers : split(":", m)[1]], [google_service_account.scheduler.email])

  # Exactly the variables shared/config/config-variables.ts marks as deployed; a test checks the two agree.
  function_environment = {
    MEMORYSTORE_PROJECT        = var.project_id
    MEMORYSTORE_LOCATIONS      = join(",", var.memorystore_locations)
    GKE_CLUSTER_ENDPOINT       = local.gke_endpoint
    GKE_CLUSTER_CA_CERT        = local.gke_ca
    SYNC_MODE                  = var.sync_mode
    ISTIO_NAMESPACE            = var.istio_namespace
    SERVICE_ENTRY_HOST_SUFFIX  = var.service_entry_host_suffix
    SERVICE_ENTRY_EXPORT_TO    = join(",", var.service_entry_export_to)
    EGRESS_GATEWAY_NAMESPACE   = var.egress_gateway_namespace
    EGRESS_GATEWAY_SERVICE     = var.egress_gateway_service
    EGRESS_GATEWAY_SELECTOR    = join(",", [for k, v in var.egress_gateway_selector : "${k}=${v}"])
    GATEWAY_PORT_RANGE         = "${var.gateway_port_range.from}-${var.gateway_port_range.to}"
    OWNER_ID                   = var.owner_id
    MAX_PRUNE_FRACTION         = tostring(var.max_prune_fraction)
    EVENT_MAX_AGE_SECONDS      = tostring(var.event_max_age_seconds)
    RESYNC_AUDIENCE            = local.resync_audience
    RESYNC_ALLOWED_PRINCIPALS  = join(",", local.resync_principals)
    RESYNC_SCHEDULER_PRINCIPAL = google_service_account.scheduler.email
    AUDIT_TOPIC                = google_pubsub_topic.audit.id
    AUDIT_REQUIRED             = tostring(var.audit_required)
  }
}
