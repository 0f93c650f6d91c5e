# Log-based metrics over the functions' audit lines, and an alert when events reach the dead-letter topic.
#
# Each audit record is one structured log line: jsonPayload.message = "audit record", jsonPayload.record.action in
# create|update|delete|conflict|skipped, jsonPayload.record.outcome in
# applied|planned|failed|conflict|conflict-retried|skipped, and LogEntry labels component, action, kind, instance (from
# logging.googleapis.com/labels). A write's intent is logged before it as "audit intent" and counted by no metric.

locals {
  audit_lines = join(" AND ", [
    "resource.type=\"cloud_run_revision\"",
    "resource.labels.service_name=(\"${google_cloudfunctions2_function.sync.name}\" OR \"${google_cloudfunctions2_function.resync.name}\")",
    "labels.component=\"memorystore-egress-sync\"",
    "jsonPayload.message=\"audit record\"",
  ])
  metrics = {
    changes_applied = {
      description = "Istio objects created, updated or deleted in the cluster."
      filter      = "${local.audit_lines} AND jsonPayload.record.outcome=\"applied\" AND jsonPayload.record.action=(\"create\" OR \"update\" OR \"delete\")"
    }
    conflicts = {
      description = "Objects left alone because another owner holds the name."
      filter      = "${local.audit_lines} AND jsonPayload.record.action=\"conflict\""
    }
    errors = {
      description = "Changes that failed when applied."
      filter      = "${local.audit_lines} AND jsonPayload.record.outcome=\"failed\""
    }
    # One record on the instance itself per refusal (shared/plan/desired-state.ts, portRangeFull); `:` matches a
    # substring (https://cloud.google.com/logging/docs/view/logging-query-language).
    gateway_ports_refused = {
      description = "Instances whose new endpoint found no free port in GATEWAY_PORT_RANGE: each kept as it was."
      filter      = "${local.audit_lines} AND jsonPayload.record.object.kind=\"Instance\" AND jsonPayload.record.reason:\"GATEWAY_PORT_RANGE\""
    }
  }
}

resource "google_logging_metric" "audit" {
  for_each    = local.metrics
  project     = var.project_id
  name        = "${var.name_prefix}/${each.key}"
  description = each.value.description
  filter      = each.value.filter
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "action"
      value_type = "STRING"
    }
    labels {
      key        = "kind"
      value_type = "STRING"
    }
    labels {
      key        = "instance"
      value_type = "STRING"
    }
  }
  label_extractors = {
    action   = "EXTRACT(labels.action)"
    kind     = "EXTRACT(labels.kind)"
    instance = "EXTRACT(labels.instance)"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "dead_letter" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: Memorystore events reached the dead-letter topic"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "messages published to ${google_pubsub_topic.dead_letter.name}"
    condition_threshold {
      filter          = "resource.type = \"pubsub_topic\" AND resource.labels.topic_id = \"${google_pubsub_topic.dead_letter.name}\" AND metric.type = \"pubsub.googleapis.com/topic/send_message_operation_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    content   = "An audit event of a Memorystore change could not be applied to the cluster after ${var.max_delivery_attempts} deliveries. Read the messages in subscription ${google_pubsub_subscription.dead_letter_hold.name}, fix the cause (see the functions' ERROR logs), then call resync."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.enabled]
}

# Audit records BigQuery refused, moved to the audit dead-letter topic (bigquery.tf): the audit trail has a gap.
# dead_letter_message_count counts the messages Pub/Sub forwarded from the subscription to its dead-letter topic.
# https://cloud.google.com/monitoring/api/metrics_gcp#gcp-pubsub
resource "google_monitoring_alert_policy" "audit_dead_letter" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: audit records could not be written to BigQuery"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "messages dead-lettered from ${google_pubsub_subscription.audit_to_bigquery.name}"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.audit_to_bigquery.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/dead_letter_message_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    content   = "Audit records could not be written to ${google_bigquery_table.audit.dataset_id}.${google_bigquery_table.audit.table_id} after ${var.max_delivery_attempts} attempts. They are kept in subscription ${google_pubsub_subscription.audit_dead_letter_hold.name}: fix the cause (a table schema older than the code, a deleted table, a lost permission), then republish them to the audit topic."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.enabled]
}
