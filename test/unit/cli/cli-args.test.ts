import { configErrorText, parseCli, usage } from '../../../shared/cli/cli-args.js';
import { parseSettings } from '../../../shared/config/parse-config.js';
import { ConfigError } from '../../../shared/errors.js';
import { CONFIG_VARIABLES } from '../../../shared/config/config-variables.js';

const env = {
  KUBECONFIG: '/home/op/.kube/config',
  GKE_CLUSTER_ENDPOINT: '10.0.0.2',
  MEMORYSTORE_PROJECT: 'env-project',
};

describe('the command line', () => {
  test('flags win over the variables they stand for; a kubeconfig flag also wins over a GKE endpoint', () => {
    const parsed = parseCli(
      [
        'plan',
        '--kubeconfig',
        '/tmp/kc',
        '--context',
        'dev',
        '--project',
        'flag-project',
        '--location',
        'us-east1',
        '--location',
        'europe-west1',
      ],
      env,
    );
    if (!parsed.ok) throw new Error(parsed.text);
    expect(parsed.request.env).toMatchObject({
      KUBECONFIG: '/tmp/kc',
      KUBE_CONTEXT: 'dev',
      MEMORYSTORE_PROJECT: 'flag-project',
      MEMORYSTORE_LOCATIONS: 'us-east1,europe-west1',
      GKE_CLUSTER_ENDPOINT: undefined,
    });
  });

  test('a configuration error names a value the way it was given: by its flag, or by its variable; all at once', () => {
    const parsed = parseCli(['plan', '--project', 'X', '--location', 'us-central1'], { SYNC_MODE: 'bogus' });
    if (!parsed.ok) throw new Error(parsed.text);
    let error: unknown;
    try {
      parseSettings(parsed.request.env);
    } catch (thrown) {
      error = thrown;
    }
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    const text = configErrorText(error.problems, parsed.request.flagged);
    expect(text).toMatch(/^configuration error:\n/);
    expect(text).toContain('\n  --project (MEMORYSTORE_PROJECT): expected a Google Cloud project id, got "X"');
    expect(text).toContain('\n  SYNC_MODE: expected');
    expect(text).not.toContain('--location');
  });

  test('without flags the environment stands', () => {
    const parsed = parseCli(['apply', '--force', '-o', 'yaml'], env);
    if (!parsed.ok) throw new Error(parsed.text);
    expect(parsed.request).toMatchObject({ command: 'apply', force: true, output: 'yaml', env });
  });

  test('--json is -o json', () => {
    const parsed = parseCli(['plan', '--json'], env);
    expect(parsed.ok && parsed.request.output).toBe('json');
  });

  test.each([
    [['destroy'], 'unknown command'],
    [['plan', '-o', 'xml'], '--output must be text, json or yaml'],
    [['plan', '--force'], '--force belongs to apply only'],
    [['render'], 'usage: memorystore-egress-sync render INSTANCE'],
    [['plan', 'extra'], 'unexpected "extra"'],
    [['plan', '--colour'], "Unknown option '--colour'"],
  ])('%j is a usage error (exit 2) that says why', (argv, text) => {
    const parsed = parseCli(argv, env);
    expect(parsed).toMatchObject({ ok: false, exitCode: 2, text: expect.stringContaining(text) });
  });

  test('each command has help naming its flags and every environment variable, with exit 0', () => {
    for (const command of ['plan', 'apply', 'render'] as const) {
      const parsed = parseCli([command, '--help'], env);
      expect(parsed).toMatchObject({ ok: false, exitCode: 0 });
      const text = parsed.ok ? '' : parsed.text;
      for (const flag of ['--kubeconfig', '--context', '--project', '--location', '--output'])
        expect(text).toContain(flag);
      for (const variable of CONFIG_VARIABLES) expect(text).toContain(variable.name);
      expect(text.includes('--force')).toBe(command === 'apply');
    }
    expect(usage()).toContain('render INSTANCE');
  });
});
