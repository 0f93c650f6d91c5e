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
  const { report, changes } = await resync(await runtime.deps(log), trigger, { dryRun: command === 'plan', force: values.force === true });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatPlan(changes));
  if (!values.json) process.stdout.write(`\n${command === 'plan' ? 'planned' : 'applied'}: ${JSON.stringify(report.summary)}\n`);
  for (const error of report.errors) process.stderr.write(`error: ${error.instance}: ${error.message}\n`);
  if (report.refused) process.stderr.write(`refused: ${report.refused}\n`);
  return report.refused ? 3 : report.errors.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? 'configuration error: ' : ''}${errorMessage(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
