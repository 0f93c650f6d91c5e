import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMetadataServer, type MetadataServer } from '../../../dev/harness/metadata-server.js';
import { applicationDefaultToken } from '../../../shared/adapters/kube-config.js';

// The GKE token on the first event after a cold start: google-auth-library looks up a project before its first token
// unless it is given one (GOOGLE_CLOUD_PROJECT, a key file, then `gcloud config config-helper` in a shell, then the
// metadata server). The token does not depend on it; the look-up cost the first event 1-2 s where gcloud is installed
// (npm run bench:first-event) and a shell and a metadata request where it is not. A `gcloud` of our own on PATH
// records whether it was run.
let metadata: MetadataServer;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  metadata = await startMetadataServer('ya29.local', 'the-project');
  dir = mkdtempSync(join(tmpdir(), 'adc-'));
  writeFileSync(join(dir, 'gcloud'), `#!/bin/sh\ntouch ${join(dir, 'gcloud-ran')}\nexit 1\n`);
  chmodSync(join(dir, 'gcloud'), 0o755);
  for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT'])
    delete process.env[name];
  Object.assign(process.env, {
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    PATH: `${dir}:${process.env['PATH'] ?? ''}`,
    HOME: dir, // no well-known gcloud credentials file
  });
});
afterAll(async () => {
  process.env = saved;
  await metadata.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the first token comes from the metadata server, with no project looked up on the way', async () => {
  expect(await applicationDefaultToken('the-project')()).toBe('ya29.local');
  expect(metadata.requests).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token']);
  expect(existsSync(join(dir, 'gcloud-ran'))).toBe(false);
});

test('callers share the token until it nears its expiry (the metadata server says 3599 s): one request for many', async () => {
  const token = applicationDefaultToken('another-project');
  const before = metadata.requests.length;
  expect(await Promise.all([token(), token(), applicationDefaultToken('another-project')()])).toEqual(
    Array(3).fill('ya29.local'),
  );
  expect(await token()).toBe('ya29.local');
  expect(metadata.requests.length - before).toBe(1);
});

test('with GOOGLE_APPLICATION_CREDENTIALS, ADC reads that file (google-auth-library), not the metadata server', async () => {
  const keyFile = join(dir, 'not-a-key.json');
  writeFileSync(keyFile, '{}');
  const before = metadata.requests.length;
  process.env['GOOGLE_APPLICATION_CREDENTIALS'] = keyFile; // read by google-auth-library itself
  try {
    // The library refuses a file that holds no credentials: the file was read, and nothing else was asked.
    await expect(applicationDefaultToken('keyed-project')()).rejects.toThrow(/GOOGLE_APPLICATION_CREDENTIALS/);
  } finally {
    delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  }
  expect(metadata.requests.length - before).toBe(0);
});
