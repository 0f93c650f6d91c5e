import { parseSettings } from '../../../shared/config/parse-config.js';
import { ConfigError } from '../../../shared/errors.js';
import { BASE_ENV } from '../../../dev/fixtures/settings.js';

/** MEMORYSTORE_PROJECTS: the projects whose instances are synced, beside the deployment's own MEMORYSTORE_PROJECT. */
describe('MEMORYSTORE_PROJECTS', () => {
  test('unset: the one project of MEMORYSTORE_PROJECT, as before', () => {
    expect(parseSettings(BASE_ENV).process).toMatchObject({ project: 'test-project', projects: ['test-project'] });
  });

  test('a list: those projects, in order, each once; MEMORYSTORE_PROJECT stays the deployment own', () => {
    const settings = parseSettings({ ...BASE_ENV, MEMORYSTORE_PROJECTS: ' team-a-prod, team-b-prod ,team-a-prod' });
    expect(settings.process).toMatchObject({ project: 'test-project', projects: ['team-a-prod', 'team-b-prod'] });
  });

  test.each([['Bad_Project'], ['a,,x'], [',']])('%j is refused, naming the variable', (value) => {
    let error: unknown;
    try {
      parseSettings({ ...BASE_ENV, MEMORYSTORE_PROJECTS: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({
        variable: 'MEMORYSTORE_PROJECTS',
        message: expect.stringMatching(/^MEMORYSTORE_PROJECTS: expected comma-separated Google Cloud project ids/),
      }),
    ]);
  });
});
