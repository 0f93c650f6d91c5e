import { netApiserverCpu, type EventCost } from '../../../scripts/bench/event-phases.js';

/** An event phase's apiserver CPU is net of the apiserver's background rate: the one measured just before it. */
const phase = (apiserverS: number, wallMs: number, apiserverIdleCpuPerS: number): EventCost =>
  ({ cpu: { apiserverS }, wallMs, apiserverIdleCpuPerS }) as unknown as EventCost;

test("an event phase is netted against the idle rate measured just before it, not the stack's at start-up", () => {
  // 2 s of events cost the apiserver 1.1 CPU-s while its own work ran at 0.5 CPU-s/s: the events' share is 0.1.
  expect(netApiserverCpu(0.013)(phase(1.1, 2000, 0.5))).toBeCloseTo(0.1, 6);
});

test('a result without its own rate (an older run) falls back on the stack start-up rate', () => {
  const old = { cpu: { apiserverS: 1.1 }, wallMs: 2000 } as unknown as EventCost;
  expect(netApiserverCpu(0.05)(old)).toBeCloseTo(1.0, 6);
});
