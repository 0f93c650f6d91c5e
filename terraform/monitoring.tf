# Log-based metrics over the functions' structured audit lines, and an alert when events reach the dead-letter topic.

locals {
  audit_lines = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"audit record\" AND labels.\"component\"=\"memorystore-egress-sync\""
  metrics = {
    changes_applied = "${local.audit_lines} AND jsonPayload.record.outcome=\"applied\""
    conflicts       = "${local.audit_lines} AND jsonPayload.record.action=\"conflict\""
    errors          = "resource.type=\"cloud_run_revision\" AND labels.\"component\"=\"memorystore-egress-sync\" AND severity>=ERROR"
  }
}

resource "google_logging_metric" "sync" {
  for_each = local.metrics
  project  = var.project_id
  name     = "${var.name_prefix}/${each.key}"
  filter   = each.value
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key        = "kind"
      value_type = "STRING"
    }
  }
  label_extractors = {
    kind = "EXTRACT(labels.\"kind\")"
  }
}

resource "google_monitoring_alert_policy" "dead_letter" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: Memorystore events reached the dead-letter topic"
  combiner              = "OR"
  notification_channels = var.notification_channels

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
    }
  }

  documentation {
    content   = "An audit event of a Memorystore change could not be applied to the cluster after every retry. Read the messages in subscription ${google_pubsub_subscription.dead_letter_hold.name}, fix the cause (see the function's ERROR logs), then call resync."
    mime_type = "text/markdown"
  }
}
