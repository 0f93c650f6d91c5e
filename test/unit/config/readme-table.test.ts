import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES } from '../../../shared/config/config-variables.js';

/** The configuration page's table is the user's reference: it must list exactly what the code reads. */
describe('docs/configuration.md table', () => {
  const readme = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (yes|no) \| (`[^`]*`)? \| (yes|no) \|/gm)].map((m) => ({
    name: m[1],
    required: m[2] === 'yes',
    default: m[3]?.slice(1, -1),
    deployed: m[4] === 'yes',
  }));

  test('lists every variable, with its required flag, default and deployment', () => {
    expect(rows).toEqual(
      CONFIG_VARIABLES.map((v) => ({ name: v.name, required: v.required, default: v.default, deployed: v.deployed })),
    );
  });
});
