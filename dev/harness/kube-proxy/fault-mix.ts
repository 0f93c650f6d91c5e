import type { FaultRule, InjectedAnswer } from './fault-proxy.js';

/** The failures a bad minute of an apiserver (or the load balancer in front of it) hands out, in equal shares. */
const FAULTS: ReadonlyArray<{ readonly name: string; readonly answer: InjectedAnswer | 'reset' }> = [
  { name: '429 Retry-After: 0', answer: { status: 429, headers: { 'retry-after': '0' } } },
  { name: '429 Retry-After: 1', answer: { status: 429, headers: { 'retry-after': '1' } } },
  { name: '500', answer: { status: 500 } },
  { name: '503', answer: { status: 503 } },
  { name: 'connection reset', answer: 'reset' },
];

export interface FaultMix {
  readonly rule: FaultRule;
  /** How many requests got each fault so far, by name, and how many went through. */
  tally(): { readonly injected: Readonly<Record<string, number>>; readonly passed: number };
}

/** A small seeded generator (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fault rule that fails `rate` of all requests (0.2 = one in five), picking each failure from the mix above. */
export function faultMix(rate: number, seed: number): FaultMix {
  const random = seededRandom(seed);
  const injected: Record<string, number> = Object.fromEntries(FAULTS.map((f) => [f.name, 0]));
  let passed = 0;
  const rule: FaultRule = () => {
    if (random() >= rate) {
      passed++;
      return undefined;
    }
    const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
    injected[fault.name]!++;
    return fault.answer;
  };
  return { rule, tally: () => ({ injected: { ...injected }, passed }) };
}
