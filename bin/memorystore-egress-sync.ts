#!/usr/bin/env node
/**
 * Operator's command line, with the same configuration (environment variables) as the functions:
 *   memorystore-egress-sync plan           what a resync would change, as a diff
 *   memorystore-egress-sync apply [--force] run a resync now
 *   add --json for the report the resync function answers with.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../shared/config/parse-config.js';
import { formatPlan } from '../shared/cli/format-diff.js';
import { errorMessage } from '../shared/errors.js';
import { Logger } from '../shared/log.js';
import { resync } from '../shared/reconcile/resync.js';
import type { SyncResult } from '../shared/reconcile/sync.js';
import { createRuntime } from '../shared/runtime/runtime.js';

const USAGE = 'usage: memorystore-egress-sync plan|apply [--force] [--json]';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  const command = positionals[0];
  if (values.help || (command !== 'plan' && command !== 'apply')) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  // Log lines (audit records among them) go to stderr so stdout holds only the diff or the report.
  const log = new Logger({}, (line) => process.stderr.write(`${line}\n`));
  const runtime = createRuntime(parseConfig(process.env), { log });
  const trigger = { kind: 'resync' as const, principal: `cli:${userInfo().username}`, scheduled: false };
  const result = await resync(await runtime.deps(log), trigger, { dryRun: command === 'plan', force: values.force === true });
  return print(result, command, values.json === true);
}

/** Prints the result and returns the exit code: 0 done, 1 some instances failed, 3 refused by the prune guard. */
function print({ report, changes }: SyncResult, command: string, json: boolean): number {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatPlan(changes)}\n${command === 'plan' ? 'planned' : 'applied'}: ${JSON.stringify(report.summary)}\n`);
  for (const error of report.errors) process.stderr.write(`error: ${error.instance}: ${error.message}\n`);
  if (report.refused) process.stderr.write(`refused: ${report.refused}\n`);
  if (report.refused) return 3;
  return report.errors.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? 'configuration error: ' : ''}${errorMessage(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
