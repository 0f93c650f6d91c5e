import type { CloudRedisClient } from '@google-cloud/redis';
import {
  localRedisClient,
  localRedisSource,
  startFakeMemorystore,
  type FakeMemorystore,
} from '../../dev/harness/memorystore/index.js';

/**
 * The local Memorystore API serving several projects, as one identity granted a viewer role in each (or on their
 * folder) sees them: each project lists its own instances, and a project it was not given is refused, as Google
 * answers a caller without permission there.
 */
let server: FakeMemorystore;
let client: CloudRedisClient;

beforeAll(async () => {
  server = await startFakeMemorystore({ projectId: 'host-project', otherProjects: ['team-a', 'team-b'] });
  client = localRedisClient(server.port, 'host-project');
  for (const project of ['team-a', 'team-b']) {
    const [operation] = await client.createInstance({
      parent: `projects/${project}/locations/us-central1`,
      instanceId: `${project}-cache`,
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    // An operation is named under its instance's project, as the services name it after the resource's parent.
    expect(operation.name).toMatch(new RegExp(`^projects/${project}/locations/us-central1/operations/`));
    await operation.promise();
  }
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

test("each project's listing holds its own instances only", async () => {
  const source = localRedisSource(server.port, 'host-project');
  for (const project of ['team-a', 'team-b']) {
    const { instances } = await source.list(project, '-');
    expect(instances.map((i) => i.name)).toEqual([
      `projects/${project}/locations/us-central1/instances/${project}-cache`,
    ]);
  }
  expect((await source.list('host-project', '-')).instances).toEqual([]);
});

test('a project not served is refused: its get as PERMISSION_DENIED, its create too', async () => {
  await expect(client.getInstance({ name: 'projects/team-c/locations/us-central1/instances/x' })).rejects.toMatchObject(
    { code: 7 },
  );
  await expect(
    client.createInstance({
      parent: 'projects/team-c/locations/us-central1',
      instanceId: 'x',
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    }),
  ).rejects.toMatchObject({ code: 7 });
});
