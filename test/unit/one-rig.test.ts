import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_VARIABLES } from '../../shared/config/config-variables.js';
import { parseSettings } from '../../shared/config/parse-config.js';

// The local deployment (tests, bench, chaos, demo) is built by one rig: the functions' environment and the stack come
// from dev/rig, and the storm and race experiments have one implementation each, which the tests and the chaos run
// call with their own sizes. Read from the sources, so a fifth copy fails here, not in a later review.
const ROOT = process.cwd();
const RIG_ENVIRONMENT = join(ROOT, 'dev/rig/function-environment.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Files of the local deployments (tests, bench, chaos, demo, their harness) whose text matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return ['test/integration', 'scripts', 'dev']
    .flatMap((dir) => sources(join(ROOT, dir)))
    .map((file) => relative(ROOT, file))
    .filter((file) => pattern.test(readFileSync(join(ROOT, file), 'utf8')))
    .sort();
}

describe('one local deployment rig', () => {
  test('the functions’ environment is built in one place', () => {
    // What every copy set: where the local Memorystore API is.
    expect(filesMatching(/MEMORYSTORE_API_ENDPOINT: /)).toEqual(['dev/rig/function-environment.ts']);
  });

  test('the stack (kube-apiserver with its CRDs) is started by the rig only', () => {
    expect(filesMatching(/startControlPlane\(/)).toEqual([
      'dev/harness/control-plane/start-control-plane.ts',
      'dev/rig/stack.ts',
    ]);
  });

  test('the storm and race experiments have one implementation each', () => {
    expect(filesMatching(/runStorm\(|stormFigures\(/)).toEqual([
      'dev/end-to-end/race-phase.ts',
      'dev/end-to-end/storm-figures.ts',
      'dev/end-to-end/storm-phase.ts',
      'dev/end-to-end/storm.ts',
      // An experiment of its own: it runs the storm's driver under its attacks.
      'scripts/chaos/stolen-identity-phase.ts',
    ]);
  });

  test('the rig’s environment holds every variable Terraform sets that has a value here, and parses', async () => {
    expect(existsSync(RIG_ENVIRONMENT)).toBe(true);
    const { functionEnvironment } = (await import(
      RIG_ENVIRONMENT
    )) as typeof import('../../dev/rig/function-environment.js');
    const env = functionEnvironment({
      ...baseTarget(),
      resync: { audience: 'https://r.a.run.app', principals: ['a@example.com', 'b@example.com'] },
    });
    // Set by Terraform from a resource or a list the rig has no counterpart of unless a run gives one.
    const onlyWhenGiven = [
      'INSTANCE_LABEL_SELECTOR',
      'SYNC_CLUSTERS',
      'EVENT_TOPIC',
      'RESYNC_SCHEDULER_PRINCIPAL',
      'MEMORYSTORE_PROJECTS',
      'MEMORYSTORE_SCOPE',
      // Empty unless a run gives one: the functions then derive it (config-variables.ts).
      'EGRESS_GATEWAY_PRINCIPAL',
    ];
    const missing = CONFIG_VARIABLES.filter((v) => v.deployed && env[v.name] === undefined).map((v) => v.name);
    expect(missing.sort()).toEqual([...onlyWhenGiven, 'AUDIT_TOPIC', 'RESYNC_AUTH'].sort());
    expect(env).toMatchObject({
      ISTIO_NAMESPACE: 'ns',
      EGRESS_GATEWAY_NAMESPACE: 'ns',
      OWNER_ID: 'o',
      RESYNC_ALLOWED_PRINCIPALS: 'a@example.com,b@example.com',
      MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9',
      KUBECONFIG: '/k',
    });
    const settings = parseSettings(env);
    expect(settings.process.ownerId).toBe('o');
    expect(functionEnvironment({ ...baseTarget(), namespace: 'x' }, { OWNER_ID: 'over' })['OWNER_ID']).toBe('over');
  });
});

function baseTarget() {
  return {
    project: 'rig-project',
    memorystoreEndpoint: '127.0.0.1:9',
    kubeconfig: '/k',
    namespace: 'ns',
    ownerId: 'o',
    resync: { audience: 'https://r.a.run.app', principals: ['a@example.com'] },
  };
}
