import { parseSettings } from '../../../shared/config/parse-config.js';
import { ConfigError } from '../../../shared/errors.js';
import { BASE_ENV } from '../../../dev/fixtures/settings.js';

/** MEMORYSTORE_SCOPE: a folder or organization, every project under which is synced. */
const problemsOf = (env: Record<string, string>): ConfigError['problems'] => {
  try {
    parseSettings({ ...BASE_ENV, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

test.each([['folders/123'], ['organizations/456']])('%s is the scope; the projects are the own one', (scope) => {
  expect(parseSettings({ ...BASE_ENV, MEMORYSTORE_SCOPE: scope }).process).toMatchObject({
    scope,
    projects: ['test-project'],
  });
});

test('unset: no scope', () => {
  expect(parseSettings(BASE_ENV).process.scope).toBeUndefined();
});

test.each([['folders/abc'], ['projects/p'], ['folders/1,folders/2']])('%j is refused, naming the variable', (value) => {
  expect(problemsOf({ MEMORYSTORE_SCOPE: value })).toEqual([
    expect.objectContaining({
      variable: 'MEMORYSTORE_SCOPE',
      message: expect.stringMatching(/^MEMORYSTORE_SCOPE: expected `folders\/NUMBER` or `organizations\/NUMBER`/),
    }),
  ]);
});

test('beside MEMORYSTORE_PROJECTS it is refused: which projects are meant would be unclear', () => {
  expect(problemsOf({ MEMORYSTORE_SCOPE: 'folders/1', MEMORYSTORE_PROJECTS: 'team-a-prod' })).toEqual([
    expect.objectContaining({ variable: 'MEMORYSTORE_SCOPE', message: expect.stringMatching(/MEMORYSTORE_PROJECTS/) }),
  ]);
});
