# Who builds the functions. Since July 2024 a function's build runs as the Compute Engine default service account,
# which in organisations created after May 2024 holds no role (iam.automaticIamGrantsForDefaultServiceAccounts), so
# both builds would fail on a first deploy. The module makes a build account of its own, unless
# build_service_account names one, and grants it what Google lists for a function's build and no more: write build
# logs, push the image to the functions' repository, read the source archive
# (https://cloud.google.com/functions/docs/securing/build-custom-sa). The image goes to a repository of the module's
# own (build_config.docker_repository), so the writer role is on that repository instead of the project.

locals {
  build_account_id = "${substr(var.name_prefix, 0, 23)}-build"
  # projects/P/serviceAccounts/EMAIL, as build_config.service_account takes it.
  build_service_account = coalesce(var.build_service_account, try(google_service_account.build[0].id, null))
  build_member          = "serviceAccount:${element(split("/", local.build_service_account), 3)}"
}

resource "google_service_account" "build" {
  count        = var.build_service_account == null ? 1 : 0
  project      = var.project_id
  account_id   = local.build_account_id
  display_name = "memorystore-egress-sync function builds"

  depends_on = [google_project_service.enabled]
}

resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Encryption with a customer-managed key is an organisation choice; Google-managed keys by default.
  project       = var.project_id
  location      = var.region
  repository_id = "${var.name_prefix}-functions"
  description   = "Images of the memorystore-egress-sync functions, built from the source archive."
  format        = "DOCKER"
  labels        = var.labels

  depends_on = [google_project_service.enabled]
}

# Cloud Build writes the build's logs to Cloud Logging as the build account: a project-level role (logs are written
# to the project, no finer resource exists).
resource "google_project_iam_member" "build_log_writer" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = local.build_member
}

resource "google_artifact_registry_repository_iam_member" "build_writer" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = local.build_member
}

resource "google_storage_bucket_iam_member" "build_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = local.build_member
}

# The build starts as soon as a function is created, and fails if the account's new grants have not reached the
# services yet: IAM changes take effect within about a minute, occasionally several
# (https://cloud.google.com/iam/docs/access-change-propagation). Paid once, on the first apply.
resource "time_sleep" "build_grant_propagation" {
  create_duration = "90s"

  depends_on = [google_project_iam_member.build_log_writer, google_artifact_registry_repository_iam_member.build_writer, google_storage_bucket_iam_member.build_reads_source]
}
