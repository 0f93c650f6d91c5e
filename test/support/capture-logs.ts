import { jest } from '@jest/globals';

/** Captures the structured log lines written to stdout, parsed; other output passes through. */
export function captureLogs(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const captured: Array<Record<string, unknown>> = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
      try {
        captured.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not ours
      }
    }
    return original(chunk as string, ...(rest as []));
  });
  return { lines: () => captured, restore: () => spy.mockRestore() };
}
