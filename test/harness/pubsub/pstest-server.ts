import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { componentPath, freePort, startProcess, waitFor } from '../process.js';

export interface PubSubServer {
  /** `127.0.0.1:port`, for PUBSUB_EMULATOR_HOST (an IPv6 literal would break the Node client's host parsing). */
  readonly host: string;
  stop(): Promise<void>;
}

/** Starts Google's in-memory Pub/Sub server (pstest) on a free loopback port. */
export async function startPubSubServer(): Promise<PubSubServer> {
  const binary = componentPath('pstest');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'pstest-'));
  const managed = startProcess(binary, ['-addr', host], join(dir, 'pstest.log'));
  await waitFor('pstest', async () => managed.tail().includes('listening'), managed, 20_000);
  return { host, stop: () => managed.stop() };
}

/** A client of the local server: emulator mode (plaintext, no Google credentials) with an explicit project. */
export function pubSubClient(host: string, projectId: string): PubSub {
  return new PubSub({ apiEndpoint: host, projectId, emulatorMode: true, universeDomain: 'googleapis.com' });
}
