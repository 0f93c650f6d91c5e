/**
 * Entry points, registered by name with the Functions Framework. The configuration is parsed at load, so a bad or
 * missing variable stops start-up with a message that names it.
 */
import * as functions from '@google-cloud/functions-framework';
import { parseResyncAuth, parseSettings } from '../shared/config/parse-config.js';
import { handleAuditEvent } from '../shared/runtime/handle-audit-event.js';
import { handleResync } from '../shared/runtime/handle-resync.js';
import { createRuntime } from '../shared/runtime/runtime.js';

const runtime = createRuntime(parseSettings(process.env));
const resyncAuth = parseResyncAuth(process.env);

functions.cloudEvent('syncOnAuditLog', (event: functions.CloudEvent<unknown>) => handleAuditEvent(runtime, event));
functions.http('resync', (request, response) => handleResync(runtime, resyncAuth, request, response));
