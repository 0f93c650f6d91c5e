output "resync_url" {
  description = "POST here with an identity token (audience = this URL); ?dryRun=true for the plan."
  value       = module.memorystore_egress_sync.resync_url
}

output "function_service_accounts" {
  description = "Identities of the functions, the push delivery and the scheduler."
  value       = module.memorystore_egress_sync.function_service_accounts
}
