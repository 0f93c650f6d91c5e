# Repairs drift on a schedule: calls resync with an OIDC identity token whose audience the function checks.
resource "google_cloud_scheduler_job" "resync" {
  project          = var.project_id
  region           = var.region
  name             = "${var.name_prefix}-resync"
  description      = "Reconciles every Memorystore instance with the cluster's Istio egress configuration."
  schedule         = var.resync_schedule
  time_zone        = var.resync_time_zone
  attempt_deadline = "${max(15, min(var.resync_timeout_seconds, 1800))}s" # Cloud Scheduler allows 15 s to 30 min

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    # The cloudfunctions.net URL: the same string is the token audience the function checks.
    uri = google_cloudfunctions2_function.resync.url
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.resync_audience
    }
  }
}
