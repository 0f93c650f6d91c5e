import { backoffDelay, retryAfterMs } from '../../shared/backoff.js';

describe('retry delays', () => {
  test.each([
    ['2', 2000],
    ['0', 0],
    ['600', 10_000], // capped: a long wait is left to the redelivery
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %p waits %p ms', (header, expected) => {
    expect(retryAfterMs(header)).toBe(expected);
  });

  test('Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:03 GMT', now)).toBe(3000);
  });

  test('backoff grows exponentially with full jitter, up to a cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, () => 1))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(20, () => 1)).toBe(4000);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });
});
