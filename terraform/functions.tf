# One source archive, two functions. The archive holds exactly the files .gcloudignore lets `gcloud functions deploy`
# upload, and is named by its hash, so any change to the code redeploys both functions.

locals {
  # .gcloudignore excludes everything (`/*`) and re-includes what the build needs (`!/path`, `!/dir/`). Those
  # re-included entries are the archive's contents: a file entry matches itself, a folder entry everything below it.
  upload_entries = [
    for line in split("\n", file("${local.source_dir}/.gcloudignore")) :
    trimsuffix(trimprefix(trimspace(line), "!/"), "/") if startswith(trimspace(line), "!/")
  ]
  source_files = sort(distinct(flatten([
    for entry in local.upload_entries : concat(tolist(fileset(local.source_dir, entry)), tolist(fileset(local.source_dir, "${entry}/**")))
  ])))
}

# A resource, not a data source: a data source is read (and its zip written) while planning, so a plan made on one
# machine and applied on another would upload a file the applying machine does not have. The resource is created, and
# its zip written, when applying, on the machine that uploads it; a change to any file's content replaces it, and so
# the object. (Its refresh rewrites the zip on the planning machine too, from the same inputs, and nothing applied
# from a plan reads that copy: hashicorp/terraform-provider-archive, internal/provider/resource_archive_file.go.)
resource "archive_file" "source" {
  type        = "zip"
  output_path = "${path.root}/.terraform/${var.name_prefix}-source.zip"
  dynamic "source" {
    for_each = local.source_files
    content {
      filename = source.value
      content  = file("${local.source_dir}/${source.value}")
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Access logs of a bucket that only holds build inputs add cost and no security value here.
  project                     = var.project_id
  labels                      = var.labels
  name                        = "${var.name_prefix}-src-${data.google_project.this.number}"
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

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket_object" "source" {
  name   = "source-${archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = archive_file.source.output_path

  depends_on = [google_project_service.enabled]
}

locals {
  build_source = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }
  # Egress to the VPC through a Serverless VPC Access connector, for a private control-plane IP (gke_endpoint =
  # "private"). Direct VPC egress needs google >= 7.21 (docs/deploying.md: private clusters).
  vpc_egress = var.vpc_connector == null ? { connector = null, settings = null } : { connector = var.vpc_connector, settings = var.vpc_egress }
}

# The event function. It has no event trigger: the push subscription in pubsub.tf delivers to it, so that the
# subscription can carry the dead-letter policy. Only Pub/Sub calls it (internal ingress counts Pub/Sub push in the
# same project as internal; IAM lets only the push identity invoke it).
resource "google_cloudfunctions2_function" "sync" {
  project  = var.project_id
  location = var.region
  name     = "${var.name_prefix}-sync"
  labels   = var.labels

  build_config {
    runtime           = var.runtime
    entry_point       = "syncOnAuditLog"
    service_account   = local.build_service_account
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.build_source.bucket
        object = local.build_source.object
      }
    }
  }

  service_config {
    available_memory                 = local.function_memory
    timeout_seconds                  = var.sync_timeout_seconds
    max_instance_count               = var.sync_max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    service_account_email            = local.service_account_emails["sync"]
    environment_variables            = local.function_environment
    vpc_connector                    = local.vpc_egress.connector
    vpc_connector_egress_settings    = local.vpc_egress.settings
  }

  lifecycle {
    # Clusters are worked on 4 at once, each for at most cluster_deadline_seconds: the event must end before the
    # function's timeout kills it, or no cluster's change is acknowledged and the slow one is never retried alone.
    precondition {
      condition     = var.cluster_deadline_seconds * ceil(length(local.clusters) / 4) < var.sync_timeout_seconds
      error_message = "cluster_deadline_seconds (${var.cluster_deadline_seconds}) times the rounds of 4 clusters (${ceil(length(local.clusters) / 4)}) must be under sync_timeout_seconds (${var.sync_timeout_seconds}), so an event ends before the function's timeout."
    }
    precondition {
      condition     = local.port_service_count <= 1000
      error_message = "gateway_port_range cut into blocks of gateway_ports_per_service (${var.gateway_ports_per_service}) makes ${local.port_service_count} Services of the deployment's own, more than the 1000 its RBAC and admission policy can name: raise gateway_ports_per_service or narrow gateway_port_range."
    }
    precondition {
      condition     = local.port_service_count == 0 || length(local.last_port_service) <= 63
      error_message = "The gateway port range's last block would be on Service ${local.last_port_service}, longer than 63 characters: raise gateway_ports_per_service, narrow gateway_port_range or shorten egress_gateway_service."
    }
  }

  depends_on = [google_project_service.enabled, google_project_iam_member.build_log_writer, google_artifact_registry_repository_iam_member.build_writer, google_storage_bucket_iam_member.build_reads_source, time_sleep.build_grant_propagation]
}

resource "google_cloudfunctions2_function" "resync" {
  #checkov:skip=CKV_GCP_124:Ingress is a variable (default ALLOW_ALL so operators can call it by hand); IAM run.invoker and the in-function identity-token check guard it.
  project  = var.project_id
  location = var.region
  name     = local.resync_function_name
  labels   = var.labels

  build_config {
    runtime           = var.runtime
    entry_point       = "resync"
    service_account   = local.build_service_account
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.build_source.bucket
        object = local.build_source.object
      }
    }
  }

  service_config {
    available_memory                 = local.function_memory
    timeout_seconds                  = var.resync_timeout_seconds
    max_instance_count               = 1 # one resync at a time
    max_instance_request_concurrency = 1
    ingress_settings                 = var.resync_ingress
    service_account_email            = local.service_account_emails["resync"]
    environment_variables            = merge(local.function_environment, local.resync_only_environment)
    vpc_connector                    = local.vpc_egress.connector
    vpc_connector_egress_settings    = local.vpc_egress.settings
  }

  lifecycle {
    # Cloud Run gives the deterministic URL only while "SERVICE-PROJECT_NUMBER" fits one 63-character DNS label.
    precondition {
      condition     = length("${local.resync_function_name}-${data.google_project.this.number}") <= 63
      error_message = "${local.resync_function_name}-${data.google_project.this.number} is longer than 63 characters, so Cloud Run gives resync no deterministic run.app URL to use as its audience: shorten name_prefix."
    }
  }

  depends_on = [google_project_service.enabled, google_project_iam_member.build_log_writer, google_artifact_registry_repository_iam_member.build_writer, google_storage_bucket_iam_member.build_reads_source, time_sleep.build_grant_propagation]
}

# The scheduler calls, and the function accepts tokens for, local.resync_url (the deterministic run.app URL). Cloud Run
# serves it beside the hash-based one; this warns on plan and apply if the function reports another URL, so an
# operator knows which address the tokens are bound to.
check "resync_reports_its_deterministic_url" {
  assert {
    condition     = google_cloudfunctions2_function.resync.service_config[0].uri == local.resync_url
    error_message = "resync reports the URL ${google_cloudfunctions2_function.resync.service_config[0].uri}; its tokens are checked against ${local.resync_url} (RESYNC_AUDIENCE), which the scheduler calls. Call that URL, with that audience."
  }
}
