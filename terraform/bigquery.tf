# Keeps every audit record queryable: the audit topic writes straight into a table whose columns are the record's
# fields (audit-record-schema.json; a test checks it against the record type). A record the table cannot take is not
# dropped: after max_delivery_attempts it goes to a dead-letter topic, is kept there a week, and raises an alert.

resource "google_bigquery_dataset" "audit" {
  #checkov:skip=CKV_GCP_81:Encryption with a customer-managed key is an organisation choice; Google-managed keys by default.
  project    = var.project_id
  dataset_id = local.bigquery_dataset_id
  location   = coalesce(var.bigquery_location, var.region)
  labels     = var.labels

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "audit" {
  #checkov:skip=CKV_GCP_80:Encryption with a customer-managed key is an organisation choice; Google-managed keys by default.
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = "changes"
  schema              = file("${path.module}/audit-record-schema.json")
  deletion_protection = true
  labels              = var.labels

  time_partitioning {
    type  = "DAY"
    field = "time"
    # null keeps every partition; otherwise a day's rows are deleted this many days after that day.
    expiration_ms = var.audit_partition_expiration_days == null ? null : var.audit_partition_expiration_days * 86400000
  }
  clustering = ["action"]

  depends_on = [google_project_service.enabled]
}

# Pub/Sub's service agent writes the rows: editor of this dataset only, not of the project.
resource "google_bigquery_dataset_iam_member" "pubsub_writer" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.pubsub_agent
}

# Pub/Sub checks its agent's rights on the table when the BigQuery subscription is created, and an IAM grant takes
# effect within about a minute, occasionally several (https://cloud.google.com/iam/docs/access-change-propagation):
# depends_on alone orders the calls but does not wait for propagation, and first applies failed 25-35% of the time
# with "Error 403: The caller does not have permission" (the provider's own tests: 35.5% in
# hashicorp/terraform-provider-google#17397, 25% in #19085). The wait is paid once, on the first apply.
resource "time_sleep" "bigquery_grant_propagation" {
  create_duration = "90s"

  depends_on = [google_bigquery_dataset_iam_member.pubsub_writer]
}

resource "google_pubsub_subscription" "audit_to_bigquery" {
  project = var.project_id
  name    = "${var.name_prefix}-audit-to-bigquery"
  topic   = google_pubsub_topic.audit.id
  labels  = var.labels

  bigquery_config {
    table            = "${google_bigquery_table.audit.project}.${google_bigquery_table.audit.dataset_id}.${google_bigquery_table.audit.table_id}"
    use_table_schema = true
    write_metadata   = false
    # false on purpose. True would drop "any fields that are a part of the topic schema or message schema that are not
    # part of the BigQuery table schema"; false means "messages with extra fields are not written and remain in the
    # subscription's backlog" (provider docs, pubsub_subscription#drop_unknown_fields). A field the table lacks means
    # audit-record-schema.json is older than the code: better a dead letter and an alert than a record cut short.
    drop_unknown_fields = false
  }

  # A write that keeps failing (schema mismatch, table deleted, permission lost) is retried, then dead-lettered:
  # without this policy Pub/Sub would retry until the message expired and the row would be lost unseen.
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.audit_dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  depends_on = [google_project_service.enabled, time_sleep.bigquery_grant_propagation, google_pubsub_topic_iam_member.audit_dead_letter_publisher]
}

resource "google_pubsub_topic" "audit_dead_letter" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  project      = var.project_id
  name         = "${var.name_prefix}-audit-dead-letter"
  kms_key_name = var.kms_key_name
  labels       = var.labels

  depends_on = [google_project_service.enabled, google_kms_crypto_key_iam_member.pubsub_agent_uses_key]
}

# Keeps audit records that BigQuery refused for a week, to read and replay.
resource "google_pubsub_subscription" "audit_dead_letter_hold" {
  project                    = var.project_id
  name                       = "${var.name_prefix}-audit-dead-letter-hold"
  topic                      = google_pubsub_topic.audit_dead_letter.id
  labels                     = var.labels
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }

  depends_on = [google_project_service.enabled]
}

# The Pub/Sub service agent forwards dead letters: it publishes to the dead-letter topic and acknowledges on the
# source subscription. https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions
resource "google_pubsub_topic_iam_member" "audit_dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.audit_dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "audit_dead_letter_subscriber" {
  project      = var.project_id
  subscription = google_pubsub_subscription.audit_to_bigquery.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
