import type { Request, Response } from '@google-cloud/functions-framework';
import { AuthError, errorMessage } from '../errors.js';
import { verifyCaller } from '../http/verify-caller.js';
import { traceOf } from '../log.js';
import { resync } from '../reconcile/resync.js';
import type { ResyncAuth } from '../config/parse-config.js';
import type { Runtime } from './runtime.js';

/** `dryRun` and `force` from the query string or a JSON body: `true`/`1` turn them on. */
function flag(request: Request, name: string): boolean {
  const body: unknown = request.body;
  const value = request.query[name] ?? (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);
  return value === true || value === 'true' || value === '1';
}

/** `resync`: reconciles every instance and answers with the report (or, with dryRun, the plan). */
export async function handleResync(runtime: Runtime, auth: ResyncAuth, request: Request, response: Response): Promise<void> {
  const trace = traceOf(request.get('traceparent') ?? request.get('x-cloud-trace-context'), runtime.config.project);
  const log = runtime.log.with({ ...(trace ? { trace } : {}) });
  if (request.method !== 'POST') {
    response.status(405).set('Allow', 'POST').json({ error: 'use POST' });
    return;
  }
  try {
    const caller = await verifyCaller(request.get('authorization'), auth);
    const options = { dryRun: flag(request, 'dryRun'), force: flag(request, 'force') };
    const { report } = await resync(await runtime.deps(log), { kind: 'resync', principal: caller.email, scheduled: caller.scheduled }, options);
    log.info({ caller: caller.email, ...options, summary: report.summary, refused: report.refused, errors: report.errors }, 'resync finished');
    response.status(report.refused ? 409 : 200).json(report);
  } catch (error) {
    if (error instanceof AuthError) {
      log.warn({ status: error.status, error: error.message }, 'resync caller rejected');
      response.status(error.status).json({ error: error.message });
      return;
    }
    log.error({ error: errorMessage(error) }, 'resync failed');
    response.status(500).json({ error: errorMessage(error) });
  }
}
