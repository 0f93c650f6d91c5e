import { applicationDefaultToken } from './google-auth.js';
import { callRest, type TokenSource } from './google-rest.js';

/** A Pub/Sub message: its data and attributes. */
export interface TopicMessage {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Where Pub/Sub is: Google's endpoint with ADC for `project`, or a local server (PUBSUB_EMULATOR_HOST). */
export interface PubSubTarget {
  readonly project: string;
  readonly emulatorHost?: string;
}

/** The target the function's environment names: PUBSUB_EMULATOR_HOST, as Google's client libraries read it. */
export function pubSubTargetOf(project: string, env: NodeJS.ProcessEnv = process.env): PubSubTarget {
  const emulatorHost = env['PUBSUB_EMULATOR_HOST'];
  return emulatorHost ? { project, emulatorHost } : { project };
}

/**
 * Deadline of one publish, retries included; past it the publish fails and its caller decides (the audit outbox keeps
 * the record, an event is redelivered).
 */
const PUBLISH_DEADLINE_MS = 30_000;

/**
 * Publishes one message to a topic over Pub/Sub's REST API (`POST v1/{topic}:publish`,
 * https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish) through google-rest.ts: the
 * token, a deadline, and retries of 408, 429, 5xx and no answer with backoff, as the client library retries a publish
 * (a retried publish may deliver twice; Pub/Sub delivers at least once anyway). The function publishes one message at
 * a time, where @google-cloud/pubsub's batching gains nothing, and loading that client (its own
 * google-gax, grpc-js and google-auth-library) was a fifth of the first event's CPU after a cold start. A local server
 * (the Pub/Sub emulator) serves the same REST API at PUBSUB_EMULATOR_HOST, without credentials.
 * https://cloud.google.com/pubsub/docs/emulator
 */
export class RestTopic {
  private readonly url: string;
  private readonly token: TokenSource | undefined;

  constructor(
    readonly name: string,
    target: PubSubTarget,
  ) {
    const base = target.emulatorHost ? `http://${target.emulatorHost}` : 'https://pubsub.googleapis.com';
    this.url = `${base}/v1/${name}:publish`;
    this.token = target.emulatorHost ? undefined : applicationDefaultToken(target.project);
  }

  /** Resolves to the message id Pub/Sub gave it. */
  async publish(message: TopicMessage): Promise<string> {
    const answer = await callRest<{ messageIds?: string[] }>(
      {
        url: this.url,
        method: 'POST',
        body: { messages: [{ data: message.data.toString('base64'), attributes: message.attributes }] },
        deadlineMs: PUBLISH_DEADLINE_MS,
      },
      this.token,
    );
    const id = answer.messageIds?.[0];
    if (!id) throw new Error(`publish to ${this.name}: Pub/Sub answered without a message id`);
    return id;
  }
}
