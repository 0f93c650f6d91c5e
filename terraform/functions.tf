# One source archive, two functions. The archive leaves out what .gcloudignore leaves out, and is named by its hash so
# any change to the code redeploys both functions.

locals {
  gcloudignore = [
    for line in split("\n", file("${local.source_dir}/.gcloudignore")) : trimspace(line)
    if trimspace(line) != "" && !startswith(trimspace(line), "#")
  ]
  # `dir/` in .gcloudignore means the whole folder; archive_file wants a glob for that.
  archive_excludes = [for pattern in local.gcloudignore : endswith(pattern, "/") ? "${pattern}**" : pattern]
}

data "archive_file" "source" {
  type        = "zip"
  source_dir  = local.source_dir
  excludes    = local.archive_excludes
  output_path = "${path.root}/.terraform/${var.name_prefix}-source.zip"
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Access logs of a bucket that only holds build inputs add cost and no security value here.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      num_newer_versions = 5
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_object" "source" {
  name   = "source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}

resource "google_cloudfunctions2_function" "sync" {
  project  = var.project_id
  location = var.region
  name     = "${var.name_prefix}-sync"

  build_config {
    runtime     = var.runtime
    entry_point = "syncOnAuditLog"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = var.function_memory
    timeout_seconds                  = var.sync_timeout_seconds
    max_instance_count               = var.sync_max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY" # only Eventarc delivers to it
    service_account_email            = google_service_account.sync.email
    environment_variables            = local.function_environment
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.events.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
  }
}

resource "google_cloudfunctions2_function" "resync" {
  #checkov:skip=CKV_GCP_124:Ingress is a variable (default ALLOW_ALL so Cloud Scheduler and operators can call it); IAM run.invoker and the in-function identity-token check guard it.
  project  = var.project_id
  location = var.region
  name     = local.resync_function_name

  build_config {
    runtime     = var.runtime
    entry_point = "resync"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = var.function_memory
    timeout_seconds                  = var.resync_timeout_seconds
    max_instance_count               = 1 # one resync at a time
    max_instance_request_concurrency = 1
    ingress_settings                 = var.resync_ingress
    service_account_email            = google_service_account.resync.email
    environment_variables            = local.function_environment
  }
}

# The trigger's subscription is created by Eventarc and cannot take a dead-letter policy through the function
# resource; this attaches one (and lets Pub/Sub's agent use it) with gcloud once the trigger exists.
resource "terraform_data" "dead_letter_policy" {
  triggers_replace = [google_cloudfunctions2_function.sync.event_trigger[0].trigger, google_pubsub_topic.dead_letter.id, var.max_delivery_attempts]

  provisioner "local-exec" {
    interpreter = ["bash", "-euo", "pipefail", "-c"]
    command     = <<-EOT
      sub=$(gcloud eventarc triggers describe "${google_cloudfunctions2_function.sync.event_trigger[0].trigger}" \
        --project="${var.project_id}" --location="${var.region}" --format='value(transport.pubsub.subscription)')
      gcloud pubsub subscriptions update "$sub" --project="${var.project_id}" \
        --dead-letter-topic="${google_pubsub_topic.dead_letter.id}" --max-delivery-attempts="${var.max_delivery_attempts}"
      gcloud pubsub subscriptions add-iam-policy-binding "$sub" --project="${var.project_id}" \
        --member="${local.pubsub_agent}" --role=roles/pubsub.subscriber >/dev/null
    EOT
  }

  depends_on = [google_pubsub_topic_iam_member.dead_letter_publisher]
}
