import { jest } from '@jest/globals';

/**
 * Captures the structured log lines written to stdout, parsed, so tests can assert on them (and they stay out of the
 * test output); any other output passes through.
 */
export function captureLogs(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const captured: Array<Record<string, unknown>> = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const passThrough: string[] = [];
      for (const line of text.split('\n')) {
        try {
          const parsed: unknown = line.startsWith('{') ? JSON.parse(line) : undefined;
          if (parsed && typeof parsed === 'object') captured.push(parsed as Record<string, unknown>);
          else if (line !== '') passThrough.push(line);
        } catch {
          passThrough.push(line);
        }
      }
      return passThrough.length > 0 ? original(`${passThrough.join('\n')}\n`, ...(rest as [])) : true;
    });
  return { lines: () => captured, restore: () => spy.mockRestore() };
}
