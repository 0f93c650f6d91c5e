import type { Request, Response } from '@google-cloud/functions-framework';
import { AuthError, errorMessage, retriesSoon } from '../errors.js';
import { parseResyncOptions } from '../http/resync-options.js';
import { verifyCaller } from '../http/verify-caller.js';
import { traceContextOf, type Logger } from '../log.js';
import { resyncClusters, type ClustersResult } from '../clusters/resync-clusters.js';
import type { ResyncAuth } from '../config/settings.js';
import type { Runtime } from './runtime.js';

function rejectCaller(error: AuthError, log: Logger, response: Response): void {
  // The message is fixed text (no token material); the principal, when the token named one, goes to the log only.
  log.warn(
    { status: error.status, error: error.message, ...(error.principal ? { caller: error.principal } : {}) },
    'resync caller rejected',
  );
  response.status(error.status).json({ error: error.message });
}

/**
 * A transient failure is 503 with Retry-After (the Scheduler's own retry policy, or the operator, tries again); a
 * permanent one is 500 with the reason, since calling again will fail alike until someone fixes the cause. When only
 * some clusters failed, the body is the report of all, so the caller sees what the others did.
 */
function failed(
  error: { message: string; retryable: boolean },
  log: Logger,
  response: Response,
  report?: ClustersResult['report'],
): void {
  log.error({ error: error.message, transient: error.retryable }, 'resync failed');
  const body = { error: error.message, retryable: error.retryable, ...report };
  if (error.retryable) response.status(503).set('Retry-After', '30').json(body);
  else response.status(500).json(body);
}

/**
 * `resync`: reconciles every instance and answers with the report (or, with dryRun, the plan). The caller is checked
 * first, then the options (strictly: a bad spelling is 400 and nothing runs).
 */
export async function handleResync(
  runtime: Runtime,
  auth: ResyncAuth,
  request: Request,
  response: Response,
): Promise<void> {
  const log = runtime.log.with(
    traceContextOf(
      request.get('traceparent') ?? request.get('x-cloud-trace-context'),
      runtime.settings.process.project,
    ),
  );
  if (request.method !== 'POST') {
    response.status(405).set('Allow', 'POST').json({ error: 'use POST' });
    return;
  }
  try {
    const caller = await verifyCaller(
      {
        authorization: request.get('authorization'),
        serverlessAuthorization: request.get('x-serverless-authorization'),
      },
      auth,
    );
    const parsed = parseResyncOptions({
      url: request.originalUrl,
      rawBody: request.rawBody,
      contentType: request.get('content-type'),
      body: request.body as unknown,
    });
    if (!parsed.ok) {
      log.warn({ caller: caller.email, error: parsed.error }, 'resync refused: bad options');
      response.status(400).json({ error: parsed.error });
      return;
    }
    const { options } = parsed;
    const trigger = { kind: 'resync', principal: caller.email, scheduled: caller.scheduled } as const;
    const result = await resyncClusters(
      runtime.settings.clusters,
      async (target) => runtime.deps(log, target),
      trigger,
      options,
    );
    const { report } = result;
    if (result.failed) return failed(result.failed, log, response, report);
    log.info(
      {
        caller: caller.email,
        ...options,
        summary: report.summary,
        refused: report.refused,
        errors: report.errors,
        clusters: report.clusters.length,
      },
      'resync finished',
    );
    response.status(report.refused ? 409 : 200).json(report);
  } catch (error) {
    if (error instanceof AuthError) return rejectCaller(error, log, response);
    failed({ message: errorMessage(error), retryable: retriesSoon(error) }, log, response);
  }
}
