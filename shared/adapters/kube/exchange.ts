import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** An answer read whole. */
export interface Answer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * One request and its whole answer through the dispatcher's handler interface: one promise and no body stream, where
 * `request()` and `body.text()` take six promises and a Readable per answer, which the Functions Framework's domain
 * makes dearer (npm run bench:write-layers). The signal ends the request, whether it is under way or still waiting
 * for a connection; what it rejects with is for the caller to word.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const reason = (): Error => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    function onAbort(): void {
      controller?.abort(reason());
      settle(() => reject(reason()));
    }
    if (signal?.aborted) return reject(reason());
    signal?.addEventListener('abort', onAbort, { once: true });
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    try {
      dispatcher.dispatch(options, {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(reason());
        },
        onResponseStart(_controller, status, answered) {
          statusCode = status;
          headers = answered;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle(() => resolve({ statusCode, headers, text: Buffer.concat(chunks).toString('utf8') }));
        },
        onResponseError(_controller, error) {
          settle(() => reject(error));
        },
      });
    } catch (error) {
      settle(() => reject(error instanceof Error ? error : new Error(String(error))));
    }
  });
}
