import fc from 'fast-check';
import { parseAuditEvent } from '../../../shared/events/parse-audit-event.js';
import { logEntry } from '../../../dev/fixtures/audit-entries.js';
import { eventCase, mayBeActedOn } from '../../../dev/fuzz/audit-event-cases.js';

/**
 * The event decoder against generated events: arbitrary JSON, wrong types, prototype keys, bad base64 and a 3 MB
 * field. It never throws, every ignored event has a short reason, and it only asks to act on an intact audit entry of
 * a Redis method that changes an instance.
 */
const REASON_LIMIT = 1024;

test('never throws, explains every ignored event briefly, and acts only on Redis changes', () => {
  fc.assert(
    fc.property(eventCase, fc.boolean(), (generated, asText) => {
      const data: unknown = asText ? generated.body : JSON.parse(generated.body);
      const decision = parseAuditEvent({ id: 'fuzz', type: generated.type, data });
      if (decision.action !== 'ignore') return expect(mayBeActedOn(generated.entry)).toBe(true);
      expect(decision.reason.length).toBeGreaterThan(0);
      expect(decision.reason.length).toBeLessThanOrEqual(REASON_LIMIT);
    }),
    { numRuns: 2500 },
  );
});

test('the generator reaches both outcomes (else the property above proves little)', () => {
  const decisions = fc
    .sample(eventCase, { numRuns: 1000, seed: 42 })
    .map((g) => parseAuditEvent({ id: 'sample', type: g.type, data: JSON.parse(g.body) }).action);
  expect(decisions.filter((d) => d === 'reconcile').length).toBeGreaterThan(10);
  expect(decisions.filter((d) => d === 'ignore').length).toBeGreaterThan(100);
});

// Log amplification: an unknown CloudRedis method of any length was once quoted in full in the reason.
test('an unknown CloudRedis method of 3 MB gives a reason of at most 1 KB', () => {
  const methodName = `google.cloud.redis.v1.CloudRedis.${'A'.repeat(3 * 1024 * 1024)}`;
  const decision = parseAuditEvent({
    id: 'long-method',
    type: 'google.cloud.audit.log.v1.written',
    data: logEntry({ methodName }),
  });
  expect(decision).toMatchObject({ action: 'ignore' });
  expect((decision as { reason: string }).reason.length).toBeLessThanOrEqual(REASON_LIMIT);
});
