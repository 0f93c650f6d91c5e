import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The configuration is validated when the Functions Framework loads the module: a bad value must stop start-up with a
 * message that names the variable. Run as a real child process, as Cloud Functions would start it.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

function loadFunctions(env: Record<string, string>): { status: number | null; stderr: string } {
  const script = 'await import(process.argv[1])';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, `${root}build/functions/index.js`], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('start-up with a bad configuration (built module; run `npm run build` first)', () => {
  test('a missing variable stops start-up, naming it', () => {
    const { status, stderr } = loadFunctions({
      KUBECONFIG: '/x',
      RESYNC_AUDIENCE: 'https://resync-unittest-uc.a.run.app',
      RESYNC_ALLOWED_PRINCIPALS: 'a@b.c',
    });
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/ConfigError: MEMORYSTORE_PROJECT: expected a Google Cloud project id, got nothing/);
  });

  test('a malformed variable stops start-up, naming it and what it expects', () => {
    const { status, stderr } = loadFunctions({
      MEMORYSTORE_PROJECT: 'test-project',
      KUBECONFIG: '/x',
      RESYNC_AUDIENCE: 'https://resync-unittest-uc.a.run.app',
      RESYNC_ALLOWED_PRINCIPALS: 'a@b.c',
      GATEWAY_PORT_RANGE: 'lots',
    });
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/GATEWAY_PORT_RANGE: expected `from-to`/);
  });

  test('a valid configuration loads', () => {
    const { status, stderr } = loadFunctions({
      MEMORYSTORE_PROJECT: 'test-project',
      KUBECONFIG: '/x',
      RESYNC_AUDIENCE: 'https://resync-unittest-uc.a.run.app',
      RESYNC_ALLOWED_PRINCIPALS: 'a@b.c',
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
