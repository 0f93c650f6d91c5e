import { ADMIN_METHODS } from '../../shared/events/admin-methods.js';
import { PRODUCT_INFO, PRODUCTS } from '../../shared/products/registry.js';
import { DECLARATION_VERBS, K8S_RESOURCE_TYPE, K8S_SERVICE } from '../../shared/events/declaration-entry.js';
import { ACCESS_GROUP, ACCESS_PLURAL } from '../../shared/model/access.js';
import {
  block,
  loadModule,
  nested,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * The event path as the .tf files wire it: Logging sink -> events topic -> push subscription (retries, dead letters)
 * -> the event function. `tofu validate` checks that the references resolve; these check that they are the right ones.
 */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
});

describe('Logging sink', () => {
  test('routes Admin Activity entries of the synced products to the events topic', () => {
    const sink = resource(tf, 'google_logging_project_sink', 'redis_admin');
    expect(sink).toMatchObject({
      destination: 'pubsub.googleapis.com/${google_pubsub_topic.events.id}',
      filter: '${local.sink_filter}',
      unique_writer_identity: true,
    });
    const filter = String(tf.locals['sink_filter']);
    expect(filter).toContain('/logs/cloudaudit.googleapis.com%2Factivity');
    expect(filter).toContain('(${join(" OR ", local.event_clauses)})');
    expect(String(tf.locals['event_clauses'])).toBe(
      '${concat(local.product_clauses, var.access_mode == "declared" ? ["(${local.declaration_clause})"] : [])}',
    );
    const clauses = String(tf.locals['product_clauses']);
    expect(clauses).toContain('for product in local.synced_products');
    expect(clauses).toContain('(protoPayload.serviceName=\\"%s\\" AND protoPayload.methodName=(%s))');
    expect(clauses).toContain('for interface in product.interfaces');
    expect(clauses).toContain('for method in product.changing');
    expect(tf.locals['synced_products']).toBe(
      '${[for p in distinct(var.memorystore_products) : local.products[p] if contains(keys(local.products), p)]}',
    );
  });

  test('selects, per product, its service and the methods the decoder acts on, in every API version, and nothing else', () => {
    const table = Object.fromEntries(
      PRODUCTS.map((p) => [
        p,
        {
          service: PRODUCT_INFO[p].serviceName,
          interfaces: ADMIN_METHODS[p].interfaces,
          changing: ADMIN_METHODS[p].changing,
        },
      ]),
    );
    const products = tf.locals['products'] as Record<string, Record<string, unknown>>;
    const methods = Object.fromEntries(
      Object.entries(products).map(([p, { service, interfaces, changing }]) => [p, { service, interfaces, changing }]),
    );
    expect(methods).toEqual(table);
  });

  test('in declared mode, also routes the writes of MemorystoreAccess declarations the decoder acts on', () => {
    const clause = String(tf.locals['declaration_clause']);
    expect(clause).toContain(`protoPayload.serviceName=\\"${K8S_SERVICE}\\"`);
    expect(clause).toContain(`resource.type=\\"${K8S_RESOURCE_TYPE}\\"`);
    expect(clause).toContain(`protoPayload.resourceName:\\"${ACCESS_GROUP}/\\"`);
    expect(clause).toContain(`protoPayload.methodName=~\\"[.]${ACCESS_PLURAL}[.](${DECLARATION_VERBS.join('|')})$\\"`);
  });

  test('the products Terraform accepts are the products the functions know, and a plan refuses any other', () => {
    expect(Object.keys(tf.locals['products'] as object).sort()).toEqual([...PRODUCTS].sort());
    expect(tf.locals['unknown_products']).toBe(
      '${[for p in distinct(var.memorystore_products) : p if !contains(keys(local.products), p)]}',
    );
    const sink = resource(tf, 'google_logging_project_sink', 'redis_admin');
    const precondition = nested(sink, 'lifecycle', 'precondition');
    expect(precondition['condition']).toBe(
      '${length(var.memorystore_products) > 0 && length(local.unknown_products) == 0}',
    );
    expect(String(precondition['error_message'])).toMatch(/^memorystore_products must list one or more of/);
  });

  test("the sink's writer may publish to the events topic, and nowhere else", () => {
    const grants = Object.values(resourcesOf(tf, 'google_pubsub_topic_iam_member')).filter((g) =>
      String(g['member']).includes('writer_identity'),
    );
    expect(grants).toEqual([
      expect.objectContaining({
        topic: '${google_pubsub_topic.events.name}',
        role: 'roles/pubsub.publisher',
        member: '${google_logging_project_sink.redis_admin.writer_identity}',
      }),
    ]);
    // The other projects' sinks (projects.tf) are granted the same, on the same topic, by their writer identities.
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'memorystore_sink_publishers')).toMatchObject({
      topic: '${google_pubsub_topic.events.name}',
      role: 'roles/pubsub.publisher',
    });
  });
});

describe('delivery to the event function', () => {
  const push = () => resource(tf, 'google_pubsub_subscription', 'events_push');

  test('a push subscription on the events topic posts to the event function, on a path naming the topic', () => {
    expect(push()['topic']).toBe('${google_pubsub_topic.events.id}');
    const config = block(push(), 'push_config');
    // The Functions Framework turns a push body into a messagePublished CloudEvent only on a projects/P/topics/T path.
    expect(config['push_endpoint']).toBe(
      '${google_cloudfunctions2_function.sync.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.events.name}',
    );
    expect(block(config, 'oidc_token')).toEqual({
      service_account_email: '${local.service_account_emails["push"]}',
      audience: '${google_cloudfunctions2_function.sync.service_config[0].uri}',
    });
  });

  test('failures are retried with backoff, then go to the dead-letter topic; the subscription never expires', () => {
    expect(block(push(), 'retry_policy')).toEqual({ minimum_backoff: '10s', maximum_backoff: '600s' });
    expect(block(push(), 'dead_letter_policy')).toEqual({
      dead_letter_topic: '${google_pubsub_topic.dead_letter.id}',
      max_delivery_attempts: '${var.max_delivery_attempts}',
    });
    expect(block(push(), 'expiration_policy')).toEqual({ ttl: '' });
    expect(push()['ack_deadline_seconds']).toBe('${var.sync_timeout_seconds}');
  });

  test("Pub/Sub's service agent may publish dead letters and acknowledge them on the source subscription", () => {
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'dead_letter_publisher')).toMatchObject({
      topic: '${google_pubsub_topic.dead_letter.name}',
      role: 'roles/pubsub.publisher',
      member: '${local.pubsub_agent}',
    });
    expect(resource(tf, 'google_pubsub_subscription_iam_member', 'dead_letter_subscriber')).toMatchObject({
      subscription: '${google_pubsub_subscription.events_push.name}',
      role: 'roles/pubsub.subscriber',
      member: '${local.pubsub_agent}',
    });
    expect(tf.locals['pubsub_agent']).toBe(
      'serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com',
    );
  });

  test('only the push identity may invoke the event function, which takes internal traffic only', () => {
    expect(resource(tf, 'google_cloud_run_service_iam_member', 'push_invokes_sync')).toMatchObject({
      service: '${google_cloudfunctions2_function.sync.name}',
      role: 'roles/run.invoker',
      member: '${local.service_account_members["push"]}',
    });
    const sync = resource(tf, 'google_cloudfunctions2_function', 'sync');
    expect(block(sync, 'service_config')).toMatchObject({
      ingress_settings: 'ALLOW_INTERNAL_ONLY',
      max_instance_count: '${var.sync_max_instances}',
      timeout_seconds: '${var.sync_timeout_seconds}',
    });
    // No event trigger as well: a second, Eventarc-made subscription would deliver every event twice, without dead
    // letters.
    expect(sync['event_trigger']).toBeUndefined();
  });

  test('messages reaching the dead-letter topic raise an alert', () => {
    const alert = resource(tf, 'google_monitoring_alert_policy', 'dead_letter');
    const condition = nested(alert, 'conditions', 'condition_threshold');
    expect(condition['filter']).toContain('resource.labels.topic_id = "${google_pubsub_topic.dead_letter.name}"');
    expect(condition['filter']).toContain('pubsub.googleapis.com/topic/send_message_operation_count');
    expect(condition).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0 });
    expect(alert['notification_channels']).toBe('${var.notification_channels}');
  });
});
