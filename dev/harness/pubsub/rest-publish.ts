import type { IncomingMessage, RequestListener } from 'node:http';
import type { PubSub } from '@google-cloud/pubsub';
import { status } from '@grpc/grpc-js';
import { sendGrpcError, sendJson } from '../google-rest.js';

const PUBLISH = /^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/;

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

interface RestMessage {
  readonly data?: string;
  readonly attributes?: Record<string, string>;
}

/**
 * Pub/Sub's REST publish (`POST /v1/{topic}:publish`, body `{"messages": [{"data": base64, "attributes": {...}}]}`,
 * answer `{"messageIds": [...]}`: https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish),
 * which the Pub/Sub emulator serves at PUBSUB_EMULATOR_HOST beside gRPC and pstest does not: each request is passed
 * on to pstest through `client` (gRPC), one message per Publish, so the topic's checks and limits are pstest's own.
 * Nothing else of the REST API is served.
 */
export function restPublish(client: PubSub): RequestListener {
  return (request, response) => {
    const topic = PUBLISH.exec(new URL(request.url ?? '/', 'http://local').pathname)?.[1];
    if (request.method !== 'POST' || !topic)
      return sendGrpcError(response, status.NOT_FOUND, `${request.method} ${request.url} is not served locally`);
    const target = client.topic(topic, { batching: { maxMessages: 1 } });
    body(request)
      .then(async (json) => {
        const messages = ((json as { messages?: RestMessage[] }).messages ?? []).map((m) => ({
          data: Buffer.from(m.data ?? '', 'base64'),
          attributes: m.attributes ?? {},
        }));
        const messageIds = await Promise.all(messages.map((message) => target.publishMessage(message)));
        sendJson(response, 200, JSON.stringify({ messageIds }));
      })
      .catch((error: unknown) => {
        const code = (error as { code?: unknown }).code;
        sendGrpcError(response, typeof code === 'number' ? code : status.INVALID_ARGUMENT, String(error));
      });
  };
}
