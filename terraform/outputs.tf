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

output "sync_function" {
  description = "Name of the event function (entry point syncOnAuditLog)."
  value       = google_cloudfunctions2_function.sync.name
}

output "resync_url" {
  description = "URL of the resync function; also the audience its identity tokens must carry (RESYNC_AUDIENCE)."
  value       = local.resync_audience
}

output "function_service_accounts" {
  description = "Identities of the functions (Kubernetes RBAC subjects)."
  value       = { sync = google_service_account.sync.email, resync = google_service_account.resync.email, push = google_service_account.push.email, scheduler = google_service_account.scheduler.email }
}
