import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { componentPath, freePort, startProcess, waitFor } from '../process.js';
import { startSharedPort } from '../google-rest.js';
import { restPublish } from './rest-publish.js';
import { unackedRoute } from './unacked.js';

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
 * Its port also serves the REST publish, as the Pub/Sub emulator does (rest-publish.ts): gRPC and HTTP/1.1 share it.
 * And, for the harness alone, which messages of a topic are not yet acknowledged (unacked.ts), so the event bridge
 * knows when the event path has settled.
 * For the Node client, either set PUBSUB_EMULATOR_HOST=host and PUBSUB_PROJECT_ID, or use pubSubClient() below.
 * pstest has no push delivery: startEventBridge() pulls and posts to the function instead.
 */
export async function startPubSubServer(): Promise<PubSubServer> {
  const binary = componentPath('pstest');
  const pstestHost = `127.0.0.1:${await freePort()}`;
  const logPath = join(mkdtempSync(join(tmpdir(), 'pstest-')), 'pstest.log');
  // The admin endpoint on a port the system picks: pstest prints it before the line waited for.
  const managed = startProcess(binary, ['-addr', pstestHost, '-admin-addr', '127.0.0.1:0'], logPath);
  await waitFor('pstest', async () => managed.tail().includes(`listening on ${pstestHost}`), managed, 20_000);
  const adminHost = /pstest admin listening on (\S+)/.exec(managed.tail())?.[1];
  if (!adminHost) throw new Error(`pstest did not say where its admin endpoint listens (log: ${logPath})`);
  // The REST publish's own client of pstest (created here, not by pubSubClient below, which it would import).
  const client = new PubSub({
    apiEndpoint: pstestHost,
    projectId: 'local',
    emulatorMode: true,
    universeDomain: 'googleapis.com',
  });
  const rest = unackedRoute(`http://${adminHost}`, restPublish(client));
  const shared = await startSharedPort(Number(pstestHost.split(':')[1]), rest);
  return {
    host: `127.0.0.1:${shared.port}`,
    logPath,
    async stop() {
      await shared.stop();
      await client.close();
      await managed.stop();
    },
  };
}

/**
 * A client of the local server that needs no environment variables: plaintext gRPC, no Google credentials
 * (emulatorMode), an explicit project (so it never asks Google auth which project it is in) and the default universe
 * (so it does not look one up).
 */
export function pubSubClient(host: string, projectId: string): PubSub {
  return new PubSub({ apiEndpoint: host, projectId, emulatorMode: true, universeDomain: 'googleapis.com' });
}
