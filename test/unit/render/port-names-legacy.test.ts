import fc from 'fast-check';
import { PRODUCT_INFO, PRODUCTS } from '../../../shared/model/products.js';
import { parseInstanceName, type InstanceName } from '../../../shared/model/instance.js';
import * as today from '../../../shared/render/names.js';
import * as todayQuarantine from '../../../shared/plan/port-quarantine.js';
import * as codec from '../../../shared/render/port-names.js';

// The codec must write and read byte for byte what the encoders it replaces do, on generated inputs.
const instance: fc.Arbitrary<InstanceName> = fc
  .tuple(fc.constantFrom(...PRODUCTS), fc.stringMatching(/^[a-z][-a-z0-9]{0,62}$/))
  .map(([product, id]) => {
    const info = PRODUCT_INFO[product];
    return parseInstanceName(`${info.identityPrefix}projects/p/locations/r/${info.collection}/${id}`);
  })
  .filter((name): name is InstanceName => name !== undefined);
const role = fc.oneof(fc.constantFrom('primary', 'read', 'discovery'), fc.string().map(today.nodeRole), fc.string());
const anyName = fc.oneof(fc.string(), fc.stringMatching(/^tcp-[-a-z0-9]{0,70}$/), fc.stringMatching(/^tcp-freed-.*$/));

test('same names written', () => {
  fc.assert(
    fc.property(instance, role, fc.integer({ min: 1, max: 65535 }), fc.date({ noInvalidDate: true }), (i, r, p, d) => {
      expect(codec.servicePortName(i, r)).toBe(today.servicePortName(i, r));
      expect(codec.servicePortNameOfCode(i, r)).toBe(today.servicePortNameOfCode(i, r));
      expect(codec.roleCode(r)).toBe(today.roleCode(r));
      expect(codec.gatewayServerName(i, r)).toBe(today.gatewayServerName(i, r));
      expect(codec.quarantinedPortName(p, d)).toBe(todayQuarantine.quarantinedPortName(p, d));
    }),
    { numRuns: 2000 },
  );
});

test('same names read', () => {
  fc.assert(
    fc.property(anyName, (name) => {
      expect(codec.parseServicePortName(name)).toEqual(today.parseServicePortName(name));
      expect(codec.parseGatewayServerName(name)).toBe(today.parseGatewayServerName(name));
      expect(codec.freedAtMs(name)).toBe(todayQuarantine.freedAtMs(name));
    }),
    { numRuns: 5000 },
  );
});
