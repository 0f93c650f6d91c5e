import fc from 'fast-check';

/** Three megabytes of one character: a field an attacker (or a broken producer) inflates. */
export const OVERSIZED = 'x'.repeat(3 * 1024 * 1024);
/** Keys that mean something to JavaScript objects, given as own properties the way JSON.parse makes them. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
] as const;

/** An object whose own keys come from `keys`, set with defineProperty so `__proto__` is a key, not the prototype. */
export function ownKeysObject(
  keys: fc.Arbitrary<string>,
  values: fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(keys, values), { maxLength: 4 }).map((entries) => {
    const object: Record<string, unknown> = {};
    for (const [key, value] of entries)
      Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
    return object;
  });
}

/** Anything a JSON field can hold, and worse: wrong types, prototype keys, odd text and an oversized string. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: ownKeysObject(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 })) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'projects//locations//instances/',
      '../../etc/passwd',
      '%00',
      '\ud800',
    ),
  },
);

/** As hostileValue, now and then three megabytes long (rarely: each costs a few milliseconds to encode and decode). */
export const hostileOrOversized: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 40, arbitrary: hostileValue },
  { weight: 1, arbitrary: fc.constant(OVERSIZED) },
);
