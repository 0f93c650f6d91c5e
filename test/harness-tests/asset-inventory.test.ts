import type { CloudRedisClient } from '@google-cloud/redis';
import { AssetInventory } from '../../shared/adapters/asset-inventory.js';
import { localRedisClient, startFakeMemorystore, type FakeMemorystore } from '../../dev/harness/memorystore/index.js';

/**
 * The local Cloud Asset Inventory beside the local Memorystore API: searchAllResources over REST with the documented
 * scope, asset type, query and read mask handling, pages capped at 500 and page tokens that are refused when they
 * belong to another request or have expired.
 */
const FOLDER = 'folders/100';
const OTHER_FOLDER = 'folders/200';
const ORGANIZATION = 'organizations/1';
let clock = Date.now();
/** Moves the clock by each of these on the inventory's next reads of it, one per page served. */
const jumps: number[] = [];
let server: FakeMemorystore;
let client: CloudRedisClient;
let base: string;

async function create(project: string, ids: readonly string[]): Promise<void> {
  await Promise.all(
    ids.map(async (instanceId) => {
      const [operation] = await client.createInstance({
        parent: `projects/${project}/locations/us-central1`,
        instanceId,
        instance: { tier: 'BASIC', memorySizeGb: 1, labels: { team: project } },
      });
      await operation.promise();
    }),
  );
}

const search = async (scope: string, params: Record<string, string | string[]> = {}): Promise<Response> => {
  const query = new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
  );
  return fetch(`${base}/cloudasset.googleapis.com/v1/${scope}:searchAllResources?${query.toString()}`);
};
const names = async (response: Response): Promise<string[]> =>
  ((await response.json()) as { results?: { name: string }[] }).results?.map((r) => r.name) ?? [];

beforeAll(async () => {
  server = await startFakeMemorystore({
    projectId: 'host-project',
    otherProjects: ['team-a', 'team-b', 'outside'],
    settleDelayMs: 1,
    inventory: {
      hierarchy: {
        'team-a': { number: '1001', folders: [FOLDER], organization: ORGANIZATION },
        'team-b': { number: '1002', folders: ['folders/101', FOLDER], organization: ORGANIZATION },
        outside: { number: '1003', folders: [OTHER_FOLDER], organization: ORGANIZATION },
      },
      grantedScopes: [FOLDER, OTHER_FOLDER, ORGANIZATION, 'projects/team-a', 'projects/1002'],
      tokenLifetimeMs: 60_000,
      now: () => (clock += jumps.shift() ?? 0),
    },
  });
  base = `http://${server.endpoint}`;
  client = localRedisClient(server.port, 'host-project');
  await create('team-a', ['a-1', 'a-2', 'a-3']);
  await create('team-b', ['b-1', 'b-2']);
  await create('outside', ['x-1']);
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

test('a folder scope finds the instances of the projects under it, nested folders too, and no others', async () => {
  const found = await names(await search(FOLDER, { assetTypes: 'redis.googleapis.com/Instance' }));
  expect(found).toEqual([
    '//redis.googleapis.com/projects/team-a/locations/us-central1/instances/a-1',
    '//redis.googleapis.com/projects/team-a/locations/us-central1/instances/a-2',
    '//redis.googleapis.com/projects/team-a/locations/us-central1/instances/a-3',
    '//redis.googleapis.com/projects/team-b/locations/us-central1/instances/b-1',
    '//redis.googleapis.com/projects/team-b/locations/us-central1/instances/b-2',
  ]);
  expect(await names(await search(ORGANIZATION))).toHaveLength(6);
  expect(await names(await search('projects/team-a'))).toHaveLength(3);
  expect(await names(await search('projects/1002'))).toHaveLength(2);
});

test('a result carries the documented fields: project by number, folders, organization, location, state', async () => {
  const body = (await (await search('projects/team-a', { query: 'name:a-1' })).json()) as unknown;
  expect(body).toEqual({
    results: [
      {
        name: '//redis.googleapis.com/projects/team-a/locations/us-central1/instances/a-1',
        assetType: 'redis.googleapis.com/Instance',
        project: 'projects/1001',
        folders: [FOLDER],
        organization: ORGANIZATION,
        location: 'us-central1',
        labels: { team: 'team-a' },
        state: 'READY',
        parentFullResourceName: '//cloudresourcemanager.googleapis.com/projects/team-a',
        parentAssetType: 'cloudresourcemanager.googleapis.com/Project',
      },
    ],
  });
  const masked = (await (await search(FOLDER, { readMask: 'name,assetType', query: 'labels.team:team-b' })).json()) as {
    results: object[];
  };
  expect(masked.results.map((r) => Object.keys(r).sort())).toEqual([
    ['assetType', 'name'],
    ['assetType', 'name'],
  ]);
});

test('asset types are whole-type patterns; one matching no supported type, a bad mask or query are refused', async () => {
  expect(await names(await search(FOLDER, { assetTypes: 'memcache.googleapis.com/Instance' }))).toEqual([]);
  expect(await names(await search(FOLDER, { assetTypes: 'redis.googleapis.com.*' }))).toHaveLength(5);
  expect(await names(await search(FOLDER, { assetTypes: 'redis.googleapis.com' }))).toEqual([]);
  for (const params of [{ assetTypes: 'example.com/Nothing' }, { readMask: 'name,ip' }, { query: 'ip:10.0.0.1' }]) {
    const response = await search(FOLDER, params);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  }
});

test('a scope the caller holds no permission on is refused as PERMISSION_DENIED', async () => {
  const response = await search('folders/300');
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
});

test('pages follow nextPageToken to the end; a token of another request or an expired one is refused', async () => {
  const pages: string[][] = [];
  let token = '';
  do {
    const response = await search(FOLDER, { pageSize: '2', ...(token ? { pageToken: token } : {}) });
    const body = (await response.json()) as { results: { name: string }[]; nextPageToken?: string };
    pages.push(body.results.map((r) => r.name.split('/').at(-1)!));
    token = body.nextPageToken ?? '';
  } while (token);
  expect(pages).toEqual([['a-1', 'a-2'], ['a-3', 'b-1'], ['b-2']]);

  const first = (await (await search(FOLDER, { pageSize: '2' })).json()) as { nextPageToken: string };
  const other = await search(FOLDER, { pageSize: '3', pageToken: first.nextPageToken });
  expect(other.status).toBe(400);
  expect(await search(FOLDER, { pageSize: '2', pageToken: 'not-a-token' })).toHaveProperty('status', 400);
  clock += 61_000;
  const expired = await search(FOLDER, { pageSize: '2', pageToken: first.nextPageToken });
  expect(expired.status).toBe(400);
  expect(JSON.stringify(await expired.json())).toMatch(/expired/);
});

test('a page holds at most 500 results, however many are asked for', async () => {
  await create(
    'team-a',
    Array.from({ length: 500 }, (_, i) => `bulk-${i}`),
  );
  const body = (await (await search(FOLDER, { pageSize: '2000' })).json()) as {
    results: object[];
    nextPageToken?: string;
  };
  expect(body.results).toHaveLength(500);
  expect(body.nextPageToken).toBeTruthy();
  // The project's adapter reads every page to the end: 505 instances in two pages of 500 at most.
  const inventory = new AssetInventory({
    project: 'host-project',
    memorystoreEndpoint: { host: '127.0.0.1', port: server.port, plaintext: true },
  });
  const before = server.inventorySearches();
  const discovery = await inventory.discover(FOLDER, ['redis', 'valkey']);
  expect(discovery.names).toHaveLength(505);
  expect(discovery.pages).toBe(2);
  expect(server.inventorySearches() - before).toBe(2);
  expect(discovery.names).not.toContain('projects/outside/locations/us-central1/instances/x-1');
});

test("the project's search starts over once when a page token expires mid-search", async () => {
  const inventory = new AssetInventory({
    project: 'host-project',
    memorystoreEndpoint: { host: '127.0.0.1', port: server.port, plaintext: true },
  });
  const before = server.inventorySearches();
  // The second page is asked for past the first page token's life: refused, then the search runs again.
  jumps.push(0, 61_000);
  const discovery = await inventory.discover(FOLDER, ['redis']);
  expect(discovery.names).toHaveLength(505);
  expect(server.inventorySearches() - before).toBe(4);
  // Twice in a row is not retried again: the search fails, naming the scope.
  jumps.push(0, 61_000, 0, 61_000);
  await expect(inventory.discover(FOLDER, ['redis'])).rejects.toThrow(/folders\/100.*page token/);
});
