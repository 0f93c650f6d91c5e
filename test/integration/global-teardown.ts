/** Stops what the global set-up started; nothing is left running. */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<string, unknown>)['__MESYNC_STOP__'];
  if (typeof stop === 'function') await (stop as () => Promise<unknown>)();
}
