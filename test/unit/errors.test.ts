import {
  acknowledgesEvent,
  AuditDeliveryError,
  AuthError,
  ConfigError,
  errorMessage,
  failureClass,
  IncompleteListError,
  KubeApiError,
  PermanentError,
  recordedFailure,
  replans,
  retriesSoon,
  TransientError,
  wasRecorded,
  WriteConflictError,
} from '../../shared/errors.js';

/** The one decision of how a failure is met, by class: the event path, resync's answer and the sync loop all ask it. */
describe('failureClass', () => {
  test.each([
    [
      'a write conflict (409)',
      new WriteConflictError('replace: 409'),
      'conflict',
      { replans: true, retriesSoon: true, acknowledgesEvent: false },
    ],
    [
      'an apiserver unavailable',
      new TransientError('list: HTTP 503 after 6 tries'),
      'transient',
      { replans: false, retriesSoon: true, acknowledgesEvent: false },
    ],
    [
      'a list cut short (410 continue token)',
      new IncompleteListError('list: continue token expired'),
      'transient',
      { replans: false, retriesSoon: true, acknowledgesEvent: false },
    ],
    [
      'an audit record neither published nor kept',
      new AuditDeliveryError('1 record'),
      'transient',
      { replans: false, retriesSoon: true, acknowledgesEvent: false },
    ],
    [
      'a refusal (403)',
      new PermanentError('create: HTTP 403'),
      'refused',
      { replans: false, retriesSoon: false, acknowledgesEvent: true },
    ],
    [
      'a caller refused',
      new AuthError(403, 'not allowed'),
      'refused',
      { replans: false, retriesSoon: false, acknowledgesEvent: true },
    ],
    [
      'a setting that is wrong',
      ConfigError.of('KUBECONFIG', 'a kubeconfig file', '/x', 'no such file'),
      'misconfigured',
      { replans: false, retriesSoon: false, acknowledgesEvent: false },
    ],
    [
      'a raw API answer nobody classified',
      new KubeApiError(500, 'InternalError', 'boom'),
      'unforeseen',
      { replans: false, retriesSoon: false, acknowledgesEvent: false },
    ],
    [
      'a defect',
      new TypeError('x is undefined'),
      'unforeseen',
      { replans: false, retriesSoon: false, acknowledgesEvent: false },
    ],
    [
      'not even an Error',
      'thrown string',
      'unforeseen',
      { replans: false, retriesSoon: false, acknowledgesEvent: false },
    ],
  ])('%s', (_case, error, expected, decisions) => {
    expect(failureClass(error)).toBe(expected);
    expect({
      replans: replans(error),
      retriesSoon: retriesSoon(error),
      acknowledgesEvent: acknowledgesEvent(error),
    }).toEqual(decisions);
  });
});

/** Whether a failure's failed write is already in the audit trail travels with the error, through every rethrow. */
describe('a failure already recorded', () => {
  test('says so itself, keeping its class and message; any other failure, or a thrown non-error, does not', async () => {
    const refused = recordedFailure(new PermanentError('replace: 403'));
    expect(refused).toBeInstanceOf(PermanentError);
    expect(errorMessage(refused)).toBe('PermanentError: replace: 403');
    expect(acknowledgesEvent(refused)).toBe(true);
    const rethrown = await Promise.reject(refused).catch((error: unknown) => error);
    expect(wasRecorded(rethrown)).toBe(true);
    expect(wasRecorded(new PermanentError('replace: 403'))).toBe(false);
    expect(wasRecorded('replace: 403')).toBe(false);
  });

  test('the mark is part of the value: a copy of the error made elsewhere carries it too', () => {
    const marked = recordedFailure(new TransientError('patch: 503'));
    const copy = Object.assign(new TransientError(marked.message), marked);
    expect(wasRecorded(copy)).toBe(true);
  });
});
