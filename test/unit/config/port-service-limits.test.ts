import { MAX_PORT_SERVICES } from '../../../shared/config/gateway-services.js';
import { configProblems, testPlanSettings } from '../../../dev/fixtures/settings.js';

/**
 * The range is cut into blocks of GATEWAY_PORTS_PER_SERVICE ports, every block after the first on a Service of the
 * deployment's own, whose names its RBAC and admission policy list: the apiserver takes so many and no more
 * (test/integration/port-services-limit.test.ts), and each must be a Service name.
 */
describe('the Services of the gateway port range', () => {
  test(`at most ${MAX_PORT_SERVICES} of the deployment's own: one more names both variables`, () => {
    // 1,001 blocks of 20 ports: the first on the egress gateway Service, 1,000 of our own.
    const atTheLimit = { GATEWAY_PORT_RANGE: '20000-40019', GATEWAY_PORTS_PER_SERVICE: '20' };
    expect(testPlanSettings(atTheLimit).egressGateway.portsPerService).toBe(20);
    expect(configProblems({ ...atTheLimit, GATEWAY_PORT_RANGE: '20000-40020' })).toEqual([
      expect.stringMatching(
        /^GATEWAY_PORTS_PER_SERVICE: .*cut into 1002 blocks, 1001 Services of this deployment's own, more than the 1000 .*narrow GATEWAY_PORT_RANGE/,
      ),
    ]);
    // The whole port space at the default of 100 per Service stays well inside.
    expect(
      testPlanSettings({ GATEWAY_PORT_RANGE: '1-65535', GATEWAY_PORTS_PER_SERVICE: '100' }).gatewayPortRange,
    ).toEqual({
      from: 1,
      to: 65535,
    });
  });

  test('the last block Service must be a Service name: 63 characters at most', () => {
    const service = 'a'.repeat(51); // `-ports-40000` makes 63
    const range = { GATEWAY_PORT_RANGE: '20000-40019', GATEWAY_PORTS_PER_SERVICE: '20' };
    expect(testPlanSettings({ ...range, EGRESS_GATEWAY_SERVICE: service }).egressGateway.service).toBe(service);
    expect(
      configProblems({
        EGRESS_GATEWAY_SERVICE: `${service}b`,
        GATEWAY_PORT_RANGE: '20000-40019',
        GATEWAY_PORTS_PER_SERVICE: '20',
      }),
    ).toEqual([expect.stringMatching(/^GATEWAY_PORTS_PER_SERVICE: .*longer than 63 characters/)]);
  });
});
