import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_DIR, loadModule, TERRAFORM_DIR } from '../../dev/terraform/load-terraform.js';

/**
 * The google provider range starts at the first release with everything the module uses. CI (.ci/terraform-checks.sh)
 * validates and plans against that floor's real schema as well as the newest, and shows the release before it
 * fails; this keeps the floor written in versions.tf and the releases CI checks the same.
 */
const CHECKS = readFileSync(fileURLToPath(new URL('../../.ci/terraform-checks.sh', import.meta.url)), 'utf8');
const setting = (name: string): string => new RegExp(`^${name}=(\\S+)$`, 'm').exec(CHECKS)?.[1] ?? '';

test.each([TERRAFORM_DIR, EXAMPLE_DIR])('%s requires the google release CI checks as the floor', async (dir) => {
  const versions = (await loadModule(dir)).files['versions.tf'] ?? '';
  const floor = setting('google_floor');
  expect(floor).toMatch(/^6\.11\.0$/);
  expect(versions).toContain(`version = ">= ${floor.replace(/\.0$/, '')}, < 7.0"`);
});

test('CI reads the schemas of the newest release, the floor and the release before it from their own bindings', () => {
  const providers = /^providers="([^"]+)"$/m.exec(CHECKS)?.[1]?.split(' ') ?? [];
  const google = providers.filter((p) => p.startsWith('google:')).map((p) => p.split(':')[1]);
  expect(google).toEqual(expect.arrayContaining(['6.50.0', setting('google_floor'), setting('google_below_floor')]));
  expect(setting('google_below_floor')).toBe('6.10.0');
});

test('the module reads what arrived at the floor: the DNS-based endpoint of control_plane_endpoints_config', async () => {
  const clusters = (await loadModule(TERRAFORM_DIR)).files['clusters.tf'] ?? '';
  expect(clusters).toContain('control_plane_endpoints_config[0].dns_endpoint_config[0]');
});

test('the range stops below the first major release CI cannot plan against: the newest it checks is under the cap', () => {
  const providers = /^providers="([^"]+)"$/m.exec(CHECKS)?.[1]?.split(' ') ?? [];
  const newest = providers
    .filter((p) => p.startsWith('google:'))
    .map((p) => Number(p.split(':')[1]!.split('.')[0]))
    .reduce((a, b) => Math.max(a, b), 0);
  const versions = readFileSync(fileURLToPath(new URL('../../terraform/versions.tf', import.meta.url)), 'utf8');
  const cap = Number(/version = ">= [\d.]+, < (\d+)\.0"/.exec(versions)?.[1]);
  expect(cap).toBe(newest + 1);
});
