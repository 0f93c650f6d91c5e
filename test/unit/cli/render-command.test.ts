import { renderCommand, resolveInstance } from '../../../shared/cli/render-command.js';
import { readyInstance } from '../../fixtures/instances.js';
import { testSettings, testSync } from '../../../dev/fixtures/settings.js';

describe('render', () => {
  test('an id needs one region: --location, or the only configured one', () => {
    expect(resolveInstance('cache-1', testSettings({ MEMORYSTORE_LOCATIONS: 'us-east1' }).process).full).toBe(
      'projects/test-project/locations/us-east1/instances/cache-1',
    );
    expect(() => resolveInstance('cache-1', testSettings().process)).toThrow('give --location REGION');
    expect(resolveInstance('projects/p-1234/locations/r/instances/i', testSettings().process).id).toBe('i');
  });

  test('renders the objects and the gateway port of an instance from its state alone', async () => {
    const source = {
      get: async () => readyInstance('cache-1'),
      list: async () => ({ instances: [], unreachable: [] }),
    };
    const rendered = await renderCommand(
      testSync({ MEMORYSTORE_LOCATIONS: 'us-central1', GATEWAY_PORT_RANGE: '17000-17010' }),
      source,
      'cache-1',
    );
    expect(rendered.objects.map((o) => o.kind).sort()).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'VirtualService',
    ]);
    expect(rendered.servicePorts.map((p) => p.port)).toEqual([17000]);
    expect(rendered.errors).toEqual([]);
  });

  test('on the gateway bridge: the ambient objects, the gateway route, and its gateway port', async () => {
    const source = {
      get: async () => readyInstance('cache-1'),
      list: async () => ({ instances: [], unreachable: [] }),
    };
    const env = { MEMORYSTORE_LOCATIONS: 'us-central1', SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' };
    const rendered = await renderCommand(testSync({ ...env, GATEWAY_PORT_RANGE: '17000-17010' }), source, 'cache-1');
    expect(rendered.objects.map((o) => o.kind).sort()).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'VirtualService',
    ]);
    expect(rendered.servicePorts.map((p) => p.port)).toEqual([17000]);
  });

  test('an instance still being created says so instead of rendering nothing silently', async () => {
    const source = {
      get: async () => readyInstance('cache-1', { state: 'CREATING', host: undefined }),
      list: async () => ({ instances: [], unreachable: [] }),
    };
    const rendered = await renderCommand(testSync({ MEMORYSTORE_LOCATIONS: 'us-central1' }), source, 'cache-1');
    expect(rendered.objects).toEqual([]);
    expect(rendered.errors).toEqual([expect.stringContaining('has no endpoint yet')]);
  });
});
