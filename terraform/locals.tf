# Data sources are read while planning, so they must not depend on anything the plan creates (the APIs they use,
# Resource Manager and GKE, are on in any project that has the cluster).
data "google_project" "this" {
  project_id = var.project_id
}

locals {
  source_dir = coalesce(var.source_dir, "${path.module}/..")
  # The audit topic and dataset follow name_prefix, so two deployments in one project do not share them.
  audit_topic_name    = coalesce(var.audit_topic_name, "${var.name_prefix}-audit")
  bigquery_dataset_id = coalesce(var.bigquery_dataset_id, replace(var.name_prefix, "-", "_"))
  pubsub_agent        = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # resync's token audience is the run.app URL it is called on: Cloud Scheduler counts as internal traffic only on a
  # run.app URL (https://cloud.google.com/run/docs/securing/ingress). The function cannot be told its own
  # service_config[0].uri (a cycle), so this is Cloud Run's deterministic URL, https://SERVICE-PROJECT_NUMBER.REGION.run.app,
  # which is known before the service exists (https://cloud.google.com/run/docs/triggering/https-request#deterministic);
  # a 2nd-gen function's Cloud Run service has the function's name.
  resync_function_name = "${var.name_prefix}-resync"
  resync_url           = "https://${local.resync_function_name}-${data.google_project.this.number}.${var.region}.run.app"

  resync_principals = concat([for m in var.resync_invokers : split(":", m)[1]], [local.service_account_emails["scheduler"], local.service_account_emails["operator"]])

  # Exactly the variables shared/config/config-variables.ts marks as deployed; a test checks the two agree.
  function_environment = {
    MEMORYSTORE_PROJECT        = var.project_id
    MEMORYSTORE_PROJECTS       = local.inventory_scope != "" ? "" : join(",", local.memorystore_projects)
    MEMORYSTORE_SCOPE          = local.inventory_scope
    MEMORYSTORE_PRODUCTS       = join(",", distinct(var.memorystore_products))
    MEMORYSTORE_LOCATIONS      = join(",", var.memorystore_locations)
    INSTANCE_LABEL_SELECTOR    = var.instance_label_selector
    SYNC_CLUSTERS              = jsonencode(local.sync_clusters)
    SYNC_MODE                  = var.sync_mode
    SHARDED_NODE_PORTS         = tostring(var.sharded_node_ports)
    AMBIENT_WAYPOINT           = var.ambient_waypoint
    AMBIENT_GATEWAY_BRIDGE     = tostring(var.ambient_gateway_bridge)
    EGRESS_GATEWAY_PRINCIPAL   = var.egress_gateway_principal
    ISTIO_NAMESPACE            = var.istio_namespace
    SERVICE_ENTRY_HOST_SUFFIX  = var.service_entry_host_suffix
    SERVICE_ENTRY_EXPORT_TO    = join(",", var.service_entry_export_to)
    EGRESS_GATEWAY_NAMESPACE   = var.egress_gateway_namespace
    EGRESS_GATEWAY_SERVICE     = var.egress_gateway_service
    EGRESS_GATEWAY_SELECTOR    = join(",", [for k, v in var.egress_gateway_selector : "${k}=${v}"])
    GATEWAY_PORT_RANGE         = "${var.gateway_port_range.from}-${var.gateway_port_range.to}"
    GATEWAY_PORTS_PER_SERVICE  = tostring(var.gateway_ports_per_service)
    OWNER_ID                   = var.owner_id
    MAX_PRUNE_FRACTION         = tostring(var.max_prune_fraction)
    EVENT_MAX_AGE_SECONDS      = tostring(var.event_max_age_seconds)
    PORT_QUARANTINE_SECONDS    = tostring(var.port_quarantine_seconds)
    CLUSTER_DEADLINE_SECONDS   = tostring(var.cluster_deadline_seconds)
    KUBE_WRITES_IN_FLIGHT      = tostring(var.kube_writes_in_flight)
    EVENT_TOPIC                = google_pubsub_topic.events.id
    RESYNC_AUDIENCE            = local.resync_url
    RESYNC_ALLOWED_PRINCIPALS  = join(",", local.resync_principals)
    RESYNC_SCHEDULER_PRINCIPAL = local.service_account_emails["scheduler"]
    AUDIT_TOPIC                = google_pubsub_topic.audit.id
    AUDIT_REQUIRED             = tostring(var.audit_required)
    ACCESS_MODE                = var.access_mode
    ACCESS_TRUST_DOMAIN        = var.access_trust_domain
    NODE_OPTIONS               = "--max-old-space-size=${local.heap_ceiling_mib[local.function_memory]} --max-semi-space-size=4"
  }
  # V8 sizes its heap from the memory it sees: in a 256 MiB container, about as much heap as the container has
  # (nodejs/node#64646), so it lets garbage grow until the container is killed instead of collecting it. A ceiling
  # under the function's memory, leaving room for Node's own memory (about 85 MiB idle: code, buffers), and a small
  # young generation (4 MiB semi-spaces) make it collect in time. Measured at the default 256Mi, converging 5,000
  # instances: peak RSS 273 MiB with a 160 MiB ceiling, 233 MiB with these (docs/performance.md). The Node.js
  # runtime's documentation names NODE_OPTIONS with --max-old-space-size as the way to size the heap:
  # https://cloud.google.com/functions/docs/concepts/nodejs-runtime#environment_variables
  heap_ceiling_mib = { "256Mi" = 128, "512Mi" = 352, "1Gi" = 736, "2Gi" = 1536 }
  # resync only: Cloud Run checks the caller's token, then hands it on with its signature removed, so the function
  # checks the claims of a platform-verified token (docs/operations.md: who may call resync).
  resync_only_environment = {
    RESYNC_AUTH = "cloud-run"
  }
}

# The gateway port range's later blocks, one Service of the deployment's own each (shared/config/gateway-services.ts):
# how many, and the last one's name. Their names are listed in the RBAC Role and the admission policy's CEL, which the
# apiserver refuses past 100,000 characters, so the functions refuse more than 1,000 (MAX_PORT_SERVICES) at start-up;
# the sync function's preconditions refuse them at plan.
locals {
  port_service_count = ceil((var.gateway_port_range.to - var.gateway_port_range.from + 1) / var.gateway_ports_per_service) - 1
  last_port_service  = "${var.egress_gateway_service}-ports-${var.gateway_port_range.from + local.port_service_count * var.gateway_ports_per_service}"
}
