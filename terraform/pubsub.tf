# Audit entries of Memorystore admin calls -> Logging sink -> events topic -> push subscription -> event function.

# A topic with a customer-managed key is usable only once Pub/Sub's service agent may encrypt and decrypt with it;
# without the grant, creating the topic fails ("Cloud Pub/Sub did not have the necessary permissions configured to
# support this operation", https://cloud.google.com/pubsub/docs/encryption#using-cmek). Granted on the key only.
resource "google_kms_crypto_key_iam_member" "pubsub_agent_uses_key" {
  count         = var.kms_key_name == null ? 0 : 1
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = local.pubsub_agent

  depends_on = [google_project_service.enabled] # Pub/Sub's service agent exists once the API is on
}

resource "google_pubsub_topic" "events" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  project      = var.project_id
  name         = "${var.name_prefix}-events"
  kms_key_name = var.kms_key_name
  labels       = var.labels

  depends_on = [google_project_service.enabled, google_kms_crypto_key_iam_member.pubsub_agent_uses_key]
}

# Admin Activity entries of the instance methods that change, or may change, an instance's endpoints, for each synced
# product (products.tf). The same methods as each product's module in shared/products/ (a test checks they agree).
locals {
  # One clause per synced product: its service and its changing methods.
  product_clauses = [for product in local.synced_products : format(
    "(protoPayload.serviceName=\"%s\" AND protoPayload.methodName=(%s))",
    product.service,
    join(" OR ", flatten([for interface in product.interfaces : [for method in product.changing : "\"${interface}.${method}\""]])),
  )]
  # ACCESS_MODE=declared: writes of MemorystoreAccess declarations in the synced clusters, which GKE logs as Admin
  # Activity entries of service k8s.io (shared/events/declaration-entry.ts says which parts of the entry are documented
  # and which are matched loosely: a custom resource's methodName prefix is not).
  declaration_clause = join(" AND ", [
    "protoPayload.serviceName=\"k8s.io\"",
    "resource.type=\"k8s_cluster\"",
    "protoPayload.resourceName:\"memorystore-egress-sync.io/\"",
    "protoPayload.methodName=~\"[.]memorystoreaccesses[.](create|update|patch|delete)$\"",
  ])
  event_clauses = concat(local.product_clauses, var.access_mode == "declared" ? ["(${local.declaration_clause})"] : [])
  sink_filter = join(" AND ", [
    "logName=\"projects/${var.project_id}/logs/cloudaudit.googleapis.com%2Factivity\"",
    "(${join(" OR ", local.event_clauses)})",
  ])
}

resource "google_logging_project_sink" "redis_admin" {
  project                = var.project_id
  name                   = "${var.name_prefix}-redis-admin"
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter                 = local.sink_filter
  unique_writer_identity = true

  lifecycle {
    precondition {
      condition     = length(var.memorystore_products) > 0 && length(local.unknown_products) == 0
      error_message = "memorystore_products must list one or more of ${join(", ", keys(local.products))}; ${jsonencode(local.unknown_products)} are not among them."
    }
    precondition {
      condition     = var.memorystore_folder == null || var.memorystore_organization == null
      error_message = "Set memorystore_folder or memorystore_organization, not both."
    }
  }

  depends_on = [google_project_service.enabled]
}

# The sink's writer may publish to this one topic and nothing else.
resource "google_pubsub_topic_iam_member" "sink_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = google_logging_project_sink.redis_admin.writer_identity
}

# The event function publishes the part of an event some clusters could not take (down, or past
# cluster_deadline_seconds) back to this topic, naming those clusters (EVENT_TOPIC): the others' work is acknowledged.
resource "google_pubsub_topic_iam_member" "sync_republishes_events" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = local.service_account_members["sync"]
}

# Delivery to the event function. A function's own event trigger would create this subscription through Eventarc,
# out of Terraform's reach, so it could not carry a dead-letter policy. Owning it keeps retries, backoff and dead
# letters declared here. The Functions Framework turns the push body into the same
# google.cloud.pubsub.topic.v1.messagePublished CloudEvent a trigger delivers (time = publishTime), when the push
# path names the topic: projects/P/topics/T.
resource "google_pubsub_subscription" "events_push" {
  project                    = var.project_id
  name                       = "${var.name_prefix}-events-push"
  topic                      = google_pubsub_topic.events.id
  labels                     = var.labels
  ack_deadline_seconds       = var.sync_timeout_seconds # no redelivery while an invocation may still be running
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.sync.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.events.name}"
    oidc_token {
      service_account_email = local.service_account_emails["push"]
      audience              = google_cloudfunctions2_function.sync.service_config[0].uri
    }
  }

  # A failed invocation (the function throws: HTTP 500) is redelivered with exponential backoff, the same 10-600 s a
  # function trigger with RETRY_POLICY_RETRY uses; after max_delivery_attempts it goes to the dead-letter topic.
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }
  expiration_policy {
    ttl = "" # never: Redis admin calls can be rarer than the default 31-day inactivity expiry
  }

  depends_on = [google_project_service.enabled, google_pubsub_topic_iam_member.dead_letter_publisher, google_cloud_run_service_iam_member.push_invokes_sync]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  project      = var.project_id
  name         = "${var.name_prefix}-dead-letter"
  kms_key_name = var.kms_key_name
  labels       = var.labels

  depends_on = [google_project_service.enabled, google_kms_crypto_key_iam_member.pubsub_agent_uses_key]
}

# Keeps dead letters for a week, to read what never succeeded (a topic alone keeps nothing).
resource "google_pubsub_subscription" "dead_letter_hold" {
  project                    = var.project_id
  name                       = "${var.name_prefix}-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter.id
  labels                     = var.labels
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }

  depends_on = [google_project_service.enabled]
}

# Pub/Sub's service agent moves a message to the dead-letter topic: it must publish there, and acknowledge it on the
# source subscription. https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  project      = var.project_id
  subscription = google_pubsub_subscription.events_push.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_pubsub_topic" "audit" {
  #checkov:skip=CKV_GCP_83:Encrypted with Google-managed keys unless var.kms_key_name names a customer-managed key.
  project      = var.project_id
  name         = local.audit_topic_name
  kms_key_name = var.kms_key_name
  labels       = var.labels

  depends_on = [google_project_service.enabled, google_kms_crypto_key_iam_member.pubsub_agent_uses_key]
}

# Each function publishes its audit records here, and may publish nowhere else.
resource "google_pubsub_topic_iam_member" "audit_publisher" {
  for_each = local.function_identities
  project  = var.project_id
  topic    = google_pubsub_topic.audit.name
  role     = "roles/pubsub.publisher"
  member   = each.value
}
