import {
  block,
  loadModule,
  nested,
  resource,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * An audit record BigQuery will not take is never lost silently: the subscription dead-letters it after retries,
 * Pub/Sub's service agent may forward it, a subscription keeps it a week, and an alert fires.
 */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
});

const toBigQuery = () => resource(tf, 'google_pubsub_subscription', 'audit_to_bigquery');

test('the BigQuery subscription dead-letters what it cannot write, after retries with backoff', () => {
  expect(block(toBigQuery(), 'dead_letter_policy')).toEqual({
    dead_letter_topic: '${google_pubsub_topic.audit_dead_letter.id}',
    max_delivery_attempts: '${var.max_delivery_attempts}',
  });
  expect(block(toBigQuery(), 'retry_policy')).toEqual({ minimum_backoff: '10s', maximum_backoff: '600s' });
  expect(toBigQuery()['depends_on']).toContain('${google_pubsub_topic_iam_member.audit_dead_letter_publisher}');
});

test('fields the table lacks are not dropped: such a record is dead-lettered instead', () => {
  expect(block(toBigQuery(), 'bigquery_config')['drop_unknown_fields']).toBe(false);
  expect(tf.files['bigquery.tf']).toMatch(/false on purpose/);
});

test("Pub/Sub's service agent may publish to the audit dead-letter topic and acknowledge on the subscription", () => {
  expect(resource(tf, 'google_pubsub_topic_iam_member', 'audit_dead_letter_publisher')).toMatchObject({
    topic: '${google_pubsub_topic.audit_dead_letter.name}',
    role: 'roles/pubsub.publisher',
    member: '${local.pubsub_agent}',
  });
  expect(resource(tf, 'google_pubsub_subscription_iam_member', 'audit_dead_letter_subscriber')).toMatchObject({
    subscription: '${google_pubsub_subscription.audit_to_bigquery.name}',
    role: 'roles/pubsub.subscriber',
    member: '${local.pubsub_agent}',
  });
});

test('dead-lettered records are kept a week, to read and republish', () => {
  const hold = resource(tf, 'google_pubsub_subscription', 'audit_dead_letter_hold');
  expect(hold).toMatchObject({
    topic: '${google_pubsub_topic.audit_dead_letter.id}',
    message_retention_duration: '604800s',
  });
  expect(block(hold, 'expiration_policy')).toEqual({ ttl: '' });
});

test('a dead-lettered record raises an alert', () => {
  const alert = resource(tf, 'google_monitoring_alert_policy', 'audit_dead_letter');
  const condition = nested(alert, 'conditions', 'condition_threshold');
  expect(condition['filter']).toContain(
    'resource.labels.subscription_id = "${google_pubsub_subscription.audit_to_bigquery.name}"',
  );
  expect(condition['filter']).toContain('pubsub.googleapis.com/subscription/dead_letter_message_count');
  expect(condition).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0 });
  expect(alert['notification_channels']).toBe('${var.notification_channels}');
});

test('partitions expire after audit_partition_expiration_days, or never', () => {
  expect(block(resource(tf, 'google_bigquery_table', 'audit'), 'time_partitioning')['expiration_ms']).toBe(
    '${var.audit_partition_expiration_days == null ? null : var.audit_partition_expiration_days * 86400000}',
  );
  expect(tf.variables['audit_partition_expiration_days']!['default']).toBeNull();
});
