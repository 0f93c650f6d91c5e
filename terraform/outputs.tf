output "events_topic" {
  description = "Pub/Sub topic the Logging sink routes Memorystore audit entries to."
  value       = google_pubsub_topic.events.id
}

output "dead_letter_topic" {
  description = "Where events go that never succeeded."
  value       = google_pubsub_topic.dead_letter.id
}

output "audit_topic" {
  description = "Pub/Sub topic with one message per audit record."
  value       = google_pubsub_topic.audit.id
}

output "audit_dead_letter_topic" {
  description = "Where audit records go that BigQuery refused."
  value       = google_pubsub_topic.audit_dead_letter.id
}

output "audit_table" {
  description = "BigQuery table of audit records."
  value       = "${google_bigquery_table.audit.project}.${google_bigquery_table.audit.dataset_id}.${google_bigquery_table.audit.table_id}"
}

output "events_push_subscription" {
  description = "Push subscription that delivers events to the event function (retries and dead letters)."
  value       = google_pubsub_subscription.events_push.id
}

output "dead_letter_subscription" {
  description = "Subscription that keeps dead letters for a week, to read what never succeeded."
  value       = google_pubsub_subscription.dead_letter_hold.id
}

output "audit_dead_letter_subscription" {
  description = "Subscription that keeps audit records BigQuery refused for a week, to read and republish."
  value       = google_pubsub_subscription.audit_dead_letter_hold.id
}

output "sync_function" {
  description = "Name of the event function (entry point syncOnAuditLog)."
  value       = google_cloudfunctions2_function.sync.name
}

output "sync_url" {
  description = "run.app URL of the event function, which the push subscription posts to."
  value       = google_cloudfunctions2_function.sync.service_config[0].uri
}

output "resync_url" {
  description = "run.app URL of the resync function; also the audience its identity tokens must carry (RESYNC_AUDIENCE)."
  value       = local.resync_url
}

output "resync_operator" {
  description = "Email of the operator account: resync_operators call resync with its identity token (gcloud auth print-identity-token --impersonate-service-account=THIS --audiences=RESYNC_URL --include-email)."
  value       = local.service_account_emails["operator"]
}

output "build_service_account" {
  description = "The account that builds the functions (projects/P/serviceAccounts/EMAIL)."
  value       = local.build_service_account
}

output "function_service_accounts" {
  description = "Emails of the identities: the two functions (Kubernetes RBAC subjects), the push delivery, the scheduler and the operator account."
  value       = local.service_account_emails
}

output "sink_writer_identity" {
  description = "Identity the Logging sink writes to the events topic as."
  value       = google_logging_project_sink.redis_admin.writer_identity
}

output "admission_policies" {
  description = "ValidatingAdmissionPolicies (with bindings of the same names) that limit the functions' identities in the primary cluster; empty when manage_admission_policy is false."
  value       = module.primary_cluster_rbac.admission_policies
}

output "sync_clusters" {
  description = "The clusters the functions keep in step, in order (the primary first), as SYNC_CLUSTERS gives them: name, endpoint, caCert, gke, networks (the VPC networks its pods reach), and mode and istioNamespace where a cluster sets its own."
  value       = local.sync_clusters
}

output "cluster_endpoints" {
  description = "Per cluster name, where a kubernetes provider reaches it as the functions do: host (https:// URL of the endpoint its endpoint kind names) and cluster_ca_certificate (PEM; null for the DNS-based endpoint, whose certificate is publicly trusted). Known at plan."
  value = { for name, access in local.cluster_access : name => {
    host                   = "https://${access.endpoint}"
    cluster_ca_certificate = access.ca_cert == "" ? null : base64decode(access.ca_cert)
  } }
}

output "cluster_rbac" {
  description = "Per cluster name, the settings of modules/cluster-rbac for that cluster (identities, its Istio namespace, egress gateway, owner_id, what to install). The root module installs the primary cluster's; pass an additional cluster's to a call of modules/cluster-rbac with that cluster's kubernetes provider."
  value       = local.cluster_rbac
}
