import { PUBSUB_EVENT_TYPE, type IncomingEvent } from '../events/parse-audit-event.js';

/**
 * An event some clusters could not take is acknowledged for the others and published again to its own topic, with
 * its LogEntry unchanged and these attributes: the clusters still to do, and the first delivery's id and time, so the
 * retry is recorded under the event that caused it and stops at the same age as a redelivery of that event would.
 */
export const RETRY_CLUSTERS = 'sync_clusters';
export const FIRST_EVENT_ID = 'sync_event_id';
export const FIRST_EVENT_TIME = 'sync_event_time';

/** What a message published again says about itself. */
export interface RetryPart {
  readonly clusters: readonly string[];
  readonly eventId: string;
  readonly time?: string;
}

/** A Pub/Sub message to publish: its data as published first, and its attributes. */
export interface RetryMessage {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

type PubsubMessage = { data?: unknown; attributes?: unknown };

function messageOf(event: IncomingEvent): PubsubMessage | undefined {
  if (event.type !== PUBSUB_EVENT_TYPE) return undefined;
  const data: unknown = typeof event.data === 'string' ? safeJson(event.data) : event.data;
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === 'object' && message !== null ? message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function attributesOf(message: PubsubMessage | undefined): Record<string, string> {
  const attributes = message?.attributes;
  if (typeof attributes !== 'object' || attributes === null) return {};
  return Object.fromEntries(Object.entries(attributes).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The part an event published again is for; undefined for an event as the Logging sink published it. */
export function retryPartOf(event: IncomingEvent): RetryPart | undefined {
  const attributes = attributesOf(messageOf(event));
  const clusters = attributes[RETRY_CLUSTERS];
  if (clusters === undefined) return undefined;
  const time = attributes[FIRST_EVENT_TIME];
  return {
    clusters: clusters.split(',').filter((name) => name !== ''),
    eventId: attributes[FIRST_EVENT_ID] || event.id,
    ...(time ? { time } : {}),
  };
}

/**
 * The earlier of two times: a retry's age counts from its first delivery, and an attribute can only make a message
 * older, never younger than its own publish time.
 */
export function earliestTime(...times: ReadonlyArray<string | undefined>): string | undefined {
  const parsed = times.filter((t): t is string => t !== undefined && Number.isFinite(Date.parse(t)));
  return parsed.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/** The event again, for `clusters` only; undefined when the event carries no Pub/Sub message to publish again. */
export function retryMessage(event: IncomingEvent, clusters: readonly string[]): RetryMessage | undefined {
  const message = messageOf(event);
  if (typeof message?.data !== 'string') return undefined;
  const first = retryPartOf(event);
  const time = earliestTime(event.time, first?.time);
  return {
    data: Buffer.from(message.data, 'base64'),
    attributes: {
      ...attributesOf(message),
      [RETRY_CLUSTERS]: clusters.join(','),
      [FIRST_EVENT_ID]: first?.eventId ?? event.id,
      ...(time ? { [FIRST_EVENT_TIME]: time } : {}),
    },
  };
}
