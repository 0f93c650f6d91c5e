# Keeps every audit record queryable: the audit topic writes straight into a table whose columns are the record's
# fields (audit-record-schema.json; a test checks it against the record type).

resource "google_bigquery_dataset" "audit" {
  #checkov:skip=CKV_GCP_81:Encryption with a customer-managed key is an organisation choice; Google-managed keys by default.
  project    = var.project_id
  dataset_id = var.bigquery_dataset_id
  location   = var.bigquery_location
}

resource "google_bigquery_table" "audit" {
  #checkov:skip=CKV_GCP_80:Encryption with a customer-managed key is an organisation choice; Google-managed keys by default.
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = "changes"
  schema              = file("${path.module}/audit-record-schema.json")
  deletion_protection = true

  time_partitioning {
    type  = "DAY"
    field = "time"
  }
  clustering = ["action"]
}

# Pub/Sub's service agent writes the rows: editor of this dataset only, not of the project.
resource "google_bigquery_dataset_iam_member" "pubsub_writer" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.pubsub_agent
}

resource "google_pubsub_subscription" "audit_to_bigquery" {
  project = var.project_id
  name    = "${var.name_prefix}-audit-to-bigquery"
  topic   = google_pubsub_topic.audit.id

  bigquery_config {
    table            = "${google_bigquery_table.audit.project}.${google_bigquery_table.audit.dataset_id}.${google_bigquery_table.audit.table_id}"
    use_table_schema = true
    write_metadata   = false
  }

  depends_on = [google_bigquery_dataset_iam_member.pubsub_writer]
}
