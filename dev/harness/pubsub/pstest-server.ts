import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { componentPath, freePort, startProcess, waitFor } from '../process.js';

export interface PubSubServer {
  /** `127.0.0.1:port`, for PUBSUB_EMULATOR_HOST (an IPv6 literal would break the Node client's host parsing). */
  readonly host: string;
  /** The server's own log (it logs little: start-up and panics). */
  readonly logPath: string;
  stop(): Promise<void>;
}

/**
 * Starts Google's in-memory Pub/Sub server (pstest, from cloud.google.com/go/pubsub/v2, built from its pinned module
 * by dev/components/build.sh) on a free loopback port, and waits until it says it is listening. The process is
 * killed on stop(), and when the test process exits.
 *
 * For the Node client, either set PUBSUB_EMULATOR_HOST=host and PUBSUB_PROJECT_ID, or use pubSubClient() below.
 * pstest has no push delivery: startEventBridge() pulls and posts to the function instead.
 */
export async function startPubSubServer(): Promise<PubSubServer> {
  const binary = componentPath('pstest');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const logPath = join(mkdtempSync(join(tmpdir(), 'pstest-')), 'pstest.log');
  const managed = startProcess(binary, ['-addr', host], logPath);
  await waitFor('pstest', async () => managed.tail().includes(`listening on ${host}`), managed, 20_000);
  return { host, logPath, stop: () => managed.stop() };
}

/**
 * A client of the local server that needs no environment variables: plaintext gRPC, no Google credentials
 * (emulatorMode), an explicit project (so it never asks Google auth which project it is in) and the default universe
 * (so it does not look one up).
 */
export function pubSubClient(host: string, projectId: string): PubSub {
  return new PubSub({ apiEndpoint: host, projectId, emulatorMode: true, universeDomain: 'googleapis.com' });
}
