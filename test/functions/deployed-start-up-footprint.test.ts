import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * What the deployed function loads before its first answer, on the GKE path (server and CA, no kubeconfig): the
 * first event after a cold start pays for every module loaded on the way (npm run bench:first-event), so start-up
 * loads none that only a kubeconfig (yaml) or an event's I/O (the Google and Kubernetes clients) needs. Run in a fresh
 * process from the build (`npm run build` first), so the module cache holds what start-up really loaded.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
import { createRequire } from 'node:module';
await import(process.argv[1]);
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .map((file) => /node_modules\\/((@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')))?.[1]);
process.stdout.write(JSON.stringify([...new Set(loaded.filter(Boolean))].sort()));
`;

test('start-up on the GKE path loads no YAML parser and no Google or Kubernetes client', () => {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, `${root}build/functions/index.js`], {
    env: {
      PATH: process.env['PATH'] ?? '',
      MEMORYSTORE_PROJECT: 'test-project',
      GKE_CLUSTER_ENDPOINT: 'https://203.0.113.10',
      GKE_CLUSTER_CA_CERT: Buffer.from('not checked at start-up').toString('base64'),
      RESYNC_AUDIENCE: 'https://resync-unittest-uc.a.run.app',
      RESYNC_ALLOWED_PRINCIPALS: 'a@b.c',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  const loaded = JSON.parse(result.stdout) as string[];
  for (const late of [
    'yaml',
    'undici',
    'google-auth-library',
    'google-gax',
    '@grpc/grpc-js',
    '@google-cloud/pubsub',
    '@google-cloud/redis',
  ])
    expect(loaded).not.toContain(late);
  // The check sees the CommonJS packages the ES modules load.
  expect(loaded).toContain('@google-cloud/functions-framework');
});
