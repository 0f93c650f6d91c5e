# Audit entries of Memorystore admin calls -> Logging sink -> events topic -> the event function's trigger.

resource "google_pubsub_topic" "events" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  kms_key_name = var.kms_key_name
  project = var.project_id
  name    = "${var.name_prefix}-events"
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  kms_key_name = var.kms_key_name
  project = var.project_id
  name    = "${var.name_prefix}-dead-letter"
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  project                    = var.project_id
  name                       = "${var.name_prefix}-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s" # a week to look at what never succeeded
  ack_deadline_seconds       = 60
}

# Admin Activity entries of the instance methods that change, or may change, an instance's endpoints, in both API
# versions. https://cloud.google.com/memorystore/docs/redis/audit-logs
locals {
  redis_methods = flatten([for version in ["v1", "v1beta1"] : [
    for method in ["CreateInstance", "UpdateInstance", "DeleteInstance", "FailoverInstance", "UpgradeInstance", "ImportInstance"] :
    "\"google.cloud.redis.${version}.CloudRedis.${method}\""
  ]])
  sink_filter = join(" AND ", [
    "logName=\"projects/${var.project_id}/logs/cloudaudit.googleapis.com%2Factivity\"",
    "protoPayload.serviceName=\"redis.googleapis.com\"",
    "protoPayload.methodName=(${join(" OR ", local.redis_methods)})",
  ])
}

resource "google_logging_project_sink" "redis_admin" {
  project                = var.project_id
  name                   = "${var.name_prefix}-redis-admin"
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter                 = local.sink_filter
  unique_writer_identity = true
}

# The sink's writer may publish to this one topic and nothing else.
resource "google_pubsub_topic_iam_member" "sink_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = google_logging_project_sink.redis_admin.writer_identity
}

# Pub/Sub itself forwards undeliverable messages to the dead-letter topic.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_topic" "audit" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  kms_key_name = var.kms_key_name
  project = var.project_id
  name    = var.audit_topic_name
}

resource "google_pubsub_topic_iam_member" "audit_publisher" {
  for_each = { sync = google_service_account.sync.member, resync = google_service_account.resync.member }
  project  = var.project_id
  topic    = google_pubsub_topic.audit.name
  role     = "roles/pubsub.publisher"
  member   = each.value
}
