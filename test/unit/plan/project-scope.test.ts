import { outOfScope, resyncScope } from '../../../shared/plan/scope-policies.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { testPlanSettings, testSettings } from '../../../dev/fixtures/settings.js';

/** A deployment that syncs several projects (MEMORYSTORE_PROJECTS): what it answers for, and what it may prune. */
const several = testSettings({ MEMORYSTORE_PROJECTS: 'test-project,second-project' }).process;
const rendering = testPlanSettings();
const ownedFor = (id: string, project: string) =>
  renderDirect(nameOf(id, 'us-central1', project), [{ role: 'primary', address: '10.0.0.1', port: 6379 }], rendering);
const listedIn = (id: string, project: string) => ({
  ...readyInstance(id),
  name: nameOf(id, 'us-central1', project).full,
});
const verdicts = (scope: ReturnType<typeof resyncScope>) =>
  scope.map((o) => [o.name.project, o.name.id, o.instance ? 'present' : 'gone']);

describe('outOfScope with several projects', () => {
  test.each([
    ['test-project', undefined],
    ['second-project', undefined],
    [
      'third-project',
      /instance is in project third-project, not MEMORYSTORE_PROJECT\(S\) test-project, second-project/,
    ],
  ])('an instance of %s', (project, reason) => {
    const result = outOfScope(nameOf('a', 'us-central1', project), several);
    if (reason) expect(result).toMatch(reason);
    else expect(result).toBeUndefined();
  });
});

describe('resyncScope with several projects', () => {
  test('instances of every listed project are reconciled, and those gone from any of them are pruned', () => {
    const owned = [
      ...ownedFor('a', 'test-project'),
      ...ownedFor('b', 'second-project'),
      ...ownedFor('c', 'second-project'),
    ];
    const scope = resyncScope(
      { instances: [listedIn('a', 'test-project'), listedIn('b', 'second-project')], unreachable: new Set() },
      owned,
      several,
    );
    expect(verdicts(scope)).toEqual([
      ['test-project', 'a', 'present'],
      ['second-project', 'b', 'present'],
      ['second-project', 'c', 'gone'],
    ]);
  });

  test('a project whose listing failed is unknown: nothing of it is pruned, the other project still is', () => {
    const owned = [...ownedFor('a', 'test-project'), ...ownedFor('b', 'second-project')];
    const scope = resyncScope({ instances: [], unreachable: new Set(['projects/second-project']) }, owned, several);
    expect(verdicts(scope)).toEqual([['test-project', 'a', 'gone']]);
  });

  test('a project no longer listed in MEMORYSTORE_PROJECTS is left alone', () => {
    const one = testSettings({ MEMORYSTORE_PROJECTS: 'test-project' }).process;
    const scope = resyncScope({ instances: [], unreachable: new Set() }, ownedFor('b', 'second-project'), one);
    expect(scope).toEqual([]);
  });
});
