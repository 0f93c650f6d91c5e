import { classifyMethod } from './admin-methods.js';
import { entryInstance, locationOf } from './entry-subject.js';
import type { InstanceName } from '../products/instance-name.js';
import { PRODUCT_INFO, PRODUCTS, productsOfService, type Product } from '../products/registry.js';
import { declarationSubjectOf, K8S_SERVICE, type DeclarationSubject } from './declaration-entry.js';

export const PUBSUB_EVENT_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished';
export const AUDIT_EVENT_TYPE = 'google.cloud.audit.log.v1.written';

/** The CloudEvent fields this function reads; the data stays `unknown` until narrowed here. */
export interface IncomingEvent {
  readonly id: string;
  readonly type: string;
  readonly time?: string;
  readonly data?: unknown;
}

/** What triggered a reconcile, for the audit record. */
export interface EventTrigger {
  readonly kind: 'event';
  readonly eventId: string;
  readonly insertId?: string;
  readonly methodName: string;
  readonly principal?: string;
}

/** Where an entry's change happened when it does not say which instance: one product in one project and location. */
export interface ProductLocation {
  readonly product: Product;
  readonly project: string;
  readonly location: string;
}

export type AuditEventDecision =
  | { readonly action: 'reconcile'; readonly instance: InstanceName; readonly trigger: EventTrigger }
  | { readonly action: 'reconcile-location'; readonly location: ProductLocation; readonly trigger: EventTrigger }
  /** A MemorystoreAccess declaration changed (ACCESS_MODE=declared): its namespace's access is reconciled. */
  | { readonly action: 'reconcile-access'; readonly declaration: DeclarationSubject; readonly trigger: EventTrigger }
  | { readonly action: 'ignore'; readonly reason: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** Event fields quoted in a reason are capped: a hostile or broken event must not turn into a megabyte log line. */
const QUOTE_LIMIT = 120;
export function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)`;
}

const ignore = (reason: string): AuditEventDecision => ({ action: 'ignore', reason });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The LogEntry inside the event: base64 JSON in a Pub/Sub message, or the data itself for Eventarc audit events. */
function extractLogEntry(event: IncomingEvent): Json | string {
  const data = typeof event.data === 'string' ? parseJson(event.data) : event.data;
  if (event.type === AUDIT_EVENT_TYPE) return isObject(data) ? data : 'audit event data is not a JSON object';
  if (event.type !== PUBSUB_EVENT_TYPE) return `event type ${quoted(event.type)} is not handled`;
  const message = isObject(data) ? data['message'] : undefined;
  const encoded = isObject(message) ? str(message['data']) : undefined;
  if (!encoded) return 'Pub/Sub message has no data';
  const entry = parseJson(Buffer.from(encoded, 'base64').toString('utf8'));
  return isObject(entry) ? entry : 'Pub/Sub message data is not a JSON LogEntry';
}

/**
 * Decides what an incoming event asks for. Only the completion of a change is acted on: a long-running operation logs
 * a first and a last entry, and the instance has settled only at the last (the function then reads its real state).
 *
 *   entry                                        decision
 *   not JSON / not an audit entry                ignore (malformed)
 *   another service, or unknown method           ignore
 *   read-only or non-changing Redis method       ignore
 *   operation.first only                         ignore (wait for the last entry)
 *   a failed call with no operation              ignore (nothing changed)
 *   operation.last, or no operation at all       reconcile the instance
 *     naming a location but no instance          reconcile the product in that location (the request may be
 *                                                trimmed, a last entry may carry little more than its @type)
 *     naming neither                             ignore, with the reason
 */
export function parseAuditEvent(event: IncomingEvent): AuditEventDecision {
  const entry = extractLogEntry(event);
  if (typeof entry === 'string') return ignore(entry);
  if (isObject(entry['protoPayload']) && entry['protoPayload']['serviceName'] === K8S_SERVICE) {
    const declaration = declarationSubjectOf(entry, entry['protoPayload']);
    if (typeof declaration === 'string') return ignore(declaration);
    return { action: 'reconcile-access', declaration, trigger: triggerOf(event, entry, entry['protoPayload']) };
  }
  const changing = changingPayload(entry);
  if (typeof changing === 'string') return ignore(changing);
  const { payload, product } = changing;
  const notFinished = unfinishedReason(entry, payload);
  if (notFinished) return ignore(notFinished);
  const trigger = triggerOf(event, entry, payload);
  const instance = entryInstance(product, entry, payload);
  if (instance) return { action: 'reconcile', instance, trigger };
  const where = locationOf(entry, payload);
  if (where) return { action: 'reconcile-location', location: { product, ...where }, trigger };
  return ignore(
    `the entry names no instance and no location (resource ${quoted(payload['resourceName'])}): nothing to reconcile; the scheduled resync repairs what it changed`,
  );
}

const SERVICE_NAMES = [...new Set(PRODUCTS.map((p) => PRODUCT_INFO[p].serviceName))].join(', ');

/** The audit payload and its product, if the entry is about an instance method that changes something; else why not. */
function changingPayload(entry: Json): { payload: Json; product: Product } | string {
  const payload = entry['protoPayload'];
  if (!isObject(payload)) return 'LogEntry has no protoPayload: not an audit log entry';
  const serviceName = str(payload['serviceName']);
  const products = productsOfService(serviceName);
  if (products.length === 0) return `service ${quoted(serviceName)} is not one of ${SERVICE_NAMES}`;
  const methodName = str(payload['methodName']) ?? '';
  // The method's interface tells products of one service apart (CloudRedis and CloudRedisCluster).
  const [product, method] =
    products.map((p) => [p, classifyMethod(p, methodName)] as const).find(([, m]) => m.kind !== 'unknown') ?? [];
  if (!product || !method || method.kind === 'unknown')
    return `method ${quoted(methodName)} is not an instance method of ${serviceName}`;
  if (method.kind === 'no-change') return `method ${quoted(method.method)} does not change instance endpoints`;
  return { payload, product };
}

/** Why the entry does not mark a finished change: the first entry of an operation, or a call that failed outright. */
function unfinishedReason(entry: Json, payload: Json): string | undefined {
  const operation = isObject(entry['operation']) ? entry['operation'] : undefined;
  if (operation?.['first'] === true && operation['last'] !== true)
    return 'first entry of a long-running operation: acting on its last entry';
  const status = isObject(payload['status']) ? payload['status'] : {};
  const code = status['code'];
  if (!operation && typeof code === 'number' && code !== 0)
    return `the call failed (status code ${code}): nothing changed`;
  return undefined;
}

function triggerOf(event: IncomingEvent, entry: Json, payload: Json): EventTrigger {
  const authentication = isObject(payload['authenticationInfo']) ? payload['authenticationInfo'] : {};
  const insertId = str(entry['insertId']);
  const principal = str(authentication['principalEmail']);
  const methodName = str(payload['methodName']) ?? '';
  return {
    kind: 'event',
    eventId: event.id,
    methodName,
    ...(insertId ? { insertId } : {}),
    ...(principal ? { principal } : {}),
  };
}

/**
 * Events older than the configured age are dropped: retries stop, and the scheduled resync repairs what they missed.
 */
export function isTooOld(eventTime: string | undefined, now: Date, maxAgeSeconds: number): boolean {
  const time = eventTime ? Date.parse(eventTime) : Number.NaN;
  return Number.isFinite(time) && now.getTime() - time > maxAgeSeconds * 1000;
}
