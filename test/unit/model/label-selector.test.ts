import { parseLabelSelector, selects } from '../../../shared/model/label-selector.js';
import { desiredState } from '../../../shared/plan/desired-state.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { testPlanSettings, testSettings } from '../../../dev/fixtures/settings.js';
import { planChanges } from '../../../shared/plan/plan-changes.js';
import { renderDirect } from '../../../shared/render/render-instance.js';
import { ANNOTATION_INSTANCE_NAME } from '../../../shared/model/k8s-object.js';

describe('INSTANCE_LABEL_SELECTOR', () => {
  test.each([
    ['mesh-egress=enabled', { 'mesh-egress': 'enabled' }, true],
    ['mesh-egress=enabled', { 'mesh-egress': 'disabled' }, false],
    ['mesh-egress=enabled', {}, false],
    ['mesh-egress==enabled,team!=billing', { 'mesh-egress': 'enabled', team: 'orders' }, true],
    ['team!=billing', {}, true],
    ['mesh-egress', { 'mesh-egress': '' }, true],
    ['!legacy', { legacy: 'true' }, false],
    ['!legacy', {}, true],
    ['', { anything: 'x' }, true],
  ])('%j selects %j: %s', (selector, labels, expected) => {
    expect(selects(parseLabelSelector(selector)!, labels)).toBe(expected);
  });

  test.each(['Mesh=on', 'a=B', 'a in (b)', '=x', 'a=b=c', '!a=b', '__proto__=x'])('%j is refused', (selector) => {
    expect(parseLabelSelector(selector)).toBeUndefined();
  });

  test('a prototype key is never matched through the prototype', () => {
    expect(selects(parseLabelSelector('constructor')!, {})).toBe(false);
  });

  test('is a configuration error naming the variable when malformed', () => {
    expect(() => testSettings({ INSTANCE_LABEL_SELECTOR: 'Mesh=On' })).toThrow(/INSTANCE_LABEL_SELECTOR: expected/);
    expect(testSettings({ INSTANCE_LABEL_SELECTOR: '' }).process.instanceSelector).toEqual([]);
  });

  test('an instance it does not select gets nothing, and loses the objects it had', () => {
    const settings = testPlanSettings({ INSTANCE_LABEL_SELECTOR: 'mesh-egress=enabled', SYNC_MODE: 'direct' });
    const chosen = {
      name: nameOf('chosen'),
      instance: readyInstance('chosen', { labels: { 'mesh-egress': 'enabled' } }),
    };
    const other = { name: nameOf('other'), instance: readyInstance('other', { host: '10.0.0.9' }) };
    const owned = renderDirect(other.name, [{ role: 'primary', address: '10.0.0.9', port: 6379 }], settings);
    const state = desiredState({ scope: [chosen, other], owned, settings });
    expect(state.desired.map((o) => o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME])).toEqual([chosen.name.full]);
    const plan = planChanges(state, owned, { foreign: new Map(), layout: settings });
    expect(
      plan.changes
        .filter((c) => c.action !== 'unchanged')
        .map((c) => `${c.action} ${c.instance}`)
        .sort(),
    ).toEqual([`create ${chosen.name.full}`, `delete ${other.name.full}`]);
  });
});
