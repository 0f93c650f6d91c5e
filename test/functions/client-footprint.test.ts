import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Each client library's index also loads its static protobuf module (`build/protos/protos.js`, 0.7 to 3.3 MB of
 * source each), which only its TypeScript types use: the client itself works from protos.json. With all four products
 * that is about 10 MiB of a 128 MiB heap (npm run bench:memory). Run in a fresh process from the build, so the module
 * cache holds what loading the sources really loaded.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
import { createRequire } from 'node:module';
const { PRODUCT_MODULES } = await import(process.argv[1]);
const settings = { project: 'p', memorystoreEndpoint: { host: '127.0.0.1', port: 1, plaintext: true } };
// What a listing loads, product by product (an event's read loads none: event-read-footprint.test.ts).
await Promise.all(PRODUCT_MODULES.map((product) => product.loadSource(settings)));
const loaded = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({
  clients: loaded.filter((f) => /_client\\.js$/.test(f)).length,
  protos: loaded.filter((f) => /@google-cloud\\/[^/]+\\/build\\/protos\\/protos\\.js$/.test(f)),
}));
`;

test("every product's source loads its client, and no client library's static protobuf module", () => {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script, `${root}build/shared/products/registry.js`],
    { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env['PATH'] ?? '' } },
  );
  expect(result.stderr).toBe('');
  const { clients, protos } = JSON.parse(result.stdout) as { clients: number; protos: string[] };
  // The four product clients, and the operations and locations clients google-gax makes for them.
  expect(clients).toBeGreaterThanOrEqual(4);
  expect(protos).toEqual([]);
});
