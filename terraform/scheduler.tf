# Repairs drift on a schedule: calls resync on its run.app URL with an OIDC identity token for that same URL. Cloud
# Scheduler counts as internal traffic only on a run.app URL, so ALLOW_INTERNAL_ONLY ingress admits it
# (https://cloud.google.com/run/docs/securing/ingress), and the URL is the audience the function checks
# (RESYNC_AUDIENCE, locals.tf).
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
    uri         = local.resync_url
    oidc_token {
      service_account_email = local.service_account_emails["scheduler"]
      audience              = local.resync_url
    }
  }

  # The job's first call must find the function, and the scheduler allowed to invoke it.
  depends_on = [google_project_service.enabled, google_cloudfunctions2_function.resync, google_cloud_run_service_iam_member.resync_invokers]
}
