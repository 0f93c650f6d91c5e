output "resync_url" {
  description = "POST here with an identity token (audience = this URL); ?dryRun=true for the plan."
  value       = module.memorystore_egress_sync.resync_url
}

output "resync_operator" {
  description = "The account resync_operators impersonate to call resync."
  value       = module.memorystore_egress_sync.resync_operator
}

output "audit_table" {
  description = "BigQuery table of audit records."
  value       = module.memorystore_egress_sync.audit_table
}

output "function_service_accounts" {
  description = "Identities of the functions, the push delivery and the scheduler."
  value       = module.memorystore_egress_sync.function_service_accounts
}

output "sync_clusters" {
  description = "The clusters the functions keep in step (SYNC_CLUSTERS), the primary first."
  value       = module.memorystore_egress_sync.sync_clusters
}
