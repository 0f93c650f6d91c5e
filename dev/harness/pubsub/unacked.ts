import type { RequestListener } from 'node:http';
import { sendJson } from '../google-rest.js';

/** A message of a topic that no subscription has acknowledged yet, as the local server's admin endpoint reports it. */
export interface UnackedMessage {
  readonly id: string;
  /** How many times the server has handed it to a subscriber. */
  readonly deliveries: number;
}

/** Where the shared port serves the admin answer: a path no Google REST API uses. */
const UNACKED_PATH = '/local-harness/unacked';

/**
 * Serves `GET /local-harness/unacked?topic=projects/P/topics/T` on the shared port by asking pstest's admin endpoint
 * (its own main, dev/components/pstest), so a client needs only the one host it already has. Anything else goes to
 * `next`.
 */
export function unackedRoute(adminUrl: string, next: RequestListener): RequestListener {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    if (request.method !== 'GET' || url.pathname !== UNACKED_PATH) return next(request, response);
    fetch(`${adminUrl}/unacked${url.search}`)
      .then(async (answer) => sendJson(response, answer.status, await answer.text()))
      .catch((error: unknown) => sendJson(response, 502, JSON.stringify({ error: String(error) })));
  };
}

/** The topic's unacknowledged messages, from the local server at `host` (`127.0.0.1:port`). */
export async function unackedMessages(host: string, topic: string): Promise<UnackedMessage[]> {
  const answer = await fetch(`http://${host}${UNACKED_PATH}?topic=${encodeURIComponent(topic)}`);
  if (!answer.ok)
    throw new Error(`local Pub/Sub: unacked messages of ${topic}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as UnackedMessage[];
}
