#!/usr/bin/env node
/**
 * Operator's command line, with the same configuration (environment variables, or the flags that stand for some) as
 * the functions:
 *   memorystore-egress-sync plan              what a resync would change, as a diff
 *   memorystore-egress-sync apply [--force]   run a resync now
 *   memorystore-egress-sync render INSTANCE   the objects an instance gets, without a cluster
 *   memorystore-egress-sync explain INSTANCE  its dry-run plan, and the chain a pod's connection follows in the live
 *                                             objects (read as Istio matches them; the routing tests run Istio itself)
 *   memorystore-egress-sync access INSTANCE NS/SA  may that service account reach it (ACCESS_MODE=declared), and
 *                                             the MemorystoreAccess declaration that says so
 * `COMMAND --help` lists each command's flags and the variables it reads; `-o json|yaml` prints the report.
 */
import { userInfo } from 'node:os';
import { stringify } from 'yaml';
import { configErrorText, parseCli, type CliRequest, type Output } from '../shared/cli/cli-args.js';
import { formatPlan } from '../shared/cli/format-diff.js';
import { renderCommand, type Rendered } from '../shared/cli/render-command.js';
import { explainCommand, type Explained } from '../shared/cli/explain-command.js';
import { accessCommand, accessLines, type AccessAnswer } from '../shared/cli/access-command.js';
import { parseRenderSettings, parseSettings } from '../shared/config/parse-config.js';
import type { ClusterTarget, Settings } from '../shared/config/settings.js';
import { resyncClusters, type ClustersResult } from '../shared/clusters/resync-clusters.js';
import { ConfigError, errorMessage } from '../shared/errors.js';
import { Logger } from '../shared/log.js';
import { createRuntime } from '../shared/runtime/runtime.js';

const structured = (value: unknown, output: Output): string =>
  output === 'yaml' ? stringify(value) : `${JSON.stringify(value, null, 2)}\n`;

async function main(argv: string[]): Promise<number> {
  const parsed = parseCli(argv, process.env);
  if (!parsed.ok) {
    (parsed.exitCode === 0 ? process.stdout : process.stderr).write(parsed.text);
    return parsed.exitCode;
  }
  const { request } = parsed;
  try {
    return await run(request);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(configErrorText(error.problems, request.flagged));
    return 2;
  }
}

async function run(request: CliRequest): Promise<number> {
  // Log lines (audit records among them) go to stderr so stdout holds only the diff or the report.
  const log = new Logger({}, (line) => process.stderr.write(`${line}\n`));
  if (request.command === 'render') return render(request);
  const settings = parseSettings(request.env);
  const clusters = chosenClusters(settings, request);
  const runtime = createRuntime(settings, { log });
  const trigger = { kind: 'resync' as const, principal: `cli:${userInfo().username}`, scheduled: false };
  if (request.command === 'explain')
    return explain(
      await explainCommand(await runtime.deps(log, clusters[0]), request.instance!, trigger),
      request.output,
    );
  if (request.command === 'access')
    return access(
      await accessCommand(await runtime.deps(log, clusters[0]), request.instance!, request.caller!),
      request.output,
    );
  // Every cluster's access is set up first: a kubeconfig that is missing is a configuration error to fix (exit 2),
  // not a cluster that failed to sync.
  for (const target of clusters) await runtime.deps(log, target);
  const result = await resyncClusters(clusters, async (target) => runtime.deps(log, target), trigger, {
    dryRun: request.command === 'plan',
    force: request.force,
  });
  return print(result, request);
}

/** The clusters a command works on: --cluster's one, or every one; explain reads the live objects of one. */
function chosenClusters(settings: Settings, request: CliRequest): readonly ClusterTarget[] {
  const names = settings.clusters.map((c) => c.name).join(', ');
  const chosen =
    request.cluster === undefined ? settings.clusters : settings.clusters.filter((c) => c.name === request.cluster);
  if (chosen.length === 0)
    throw new ConfigError([
      {
        variable: 'SYNC_CLUSTERS',
        message: `--cluster ${request.cluster}: no such cluster; the configuration names ${names}`,
      },
    ]);
  if ((request.command === 'explain' || request.command === 'access') && chosen.length > 1)
    throw new ConfigError([
      {
        variable: 'SYNC_CLUSTERS',
        message: `${request.command} works on one cluster: choose one of ${names} with --cluster`,
      },
    ]);
  return chosen;
}

/** Render needs no cluster: its settings hold no cluster access, so none has to be given. */
async function render(request: CliRequest): Promise<number> {
  const settings = parseRenderSettings(request.env);
  const { egressGateway } = settings.cluster;
  const { memorystoreSources } = await import('../shared/adapters/memorystore-sources.js');
  const rendered: Rendered = await renderCommand(
    settings,
    await memorystoreSources(settings.process),
    request.instance!,
  );
  if (request.output !== 'text') process.stdout.write(structured(rendered, request.output));
  else {
    const service =
      rendered.servicePorts.length > 0
        ? [
            {
              ports: rendered.servicePorts,
              note: `added to Service ${egressGateway.namespace}/${egressGateway.service}; the first ports of GATEWAY_PORT_RANGE are shown, a live reconcile picks free ones`,
            },
          ]
        : [];
    process.stdout.write([...rendered.objects, ...service].map((o) => stringify(o)).join('---\n'));
  }
  for (const error of rendered.errors) process.stderr.write(`${rendered.instance}: ${error}\n`);
  return rendered.errors.length > 0 ? 1 : 0;
}

/** The answer, and the declaration behind it; exit 0 when the workload may reach the instance, 1 when not. */
function access(answer: AccessAnswer, output: Output): number {
  if (output !== 'text') process.stdout.write(structured(answer, output));
  else
    process.stdout.write(
      `${answer.allowed ? 'yes' : 'no'}: ${answer.caller} ${answer.allowed ? 'may' : 'may not'} reach ${answer.instance}\n  ${answer.because}\n`,
    );
  return answer.allowed ? 0 : 1;
}

/** The dry-run diff, then each endpoint's chain with ✓ or ✗ per link; exit 1 when a link is broken. */
function explain(explained: Explained, output: Output): number {
  if (output !== 'text')
    process.stdout.write(
      structured(
        {
          instance: explained.instance,
          chains: explained.chains,
          changes: explained.changes.map((c) => ({ action: c.action, object: c.ref })),
          ...(explained.access ? { access: explained.access } : {}),
        },
        output,
      ),
    );
  else {
    process.stdout.write(
      `${explained.instance}\n\nwould write now:\n${explained.changes.length > 0 ? formatPlan(explained.changes) : '  nothing: the live objects are as they should be'}\n`,
    );
    if (explained.access) process.stdout.write(`\n${accessLines(explained.access.grants)}`);
    if (explained.chains.length === 0)
      process.stdout.write('\nno live ServiceEntry: no pod can reach it under REGISTRY_ONLY\n');
    for (const chain of explained.chains) {
      process.stdout.write(
        `\npod → ${chain.address}:${chain.port}\n${chain.links.map((l) => `  ${l.ok ? '✓' : '✗'} ${l.text}`).join('\n')}\n`,
      );
    }
  }
  return explained.chains.every((c) => c.links.every((l) => l.ok)) ? 0 : 1;
}

/**
 * Prints the result and returns the exit code: 0 done, 1 some instances or clusters failed, 3 refused by the prune
 * guard. With several clusters, each one's diff comes under its name.
 */
function print({ report, changes, failed }: ClustersResult, request: CliRequest): number {
  const diff = (part: ClustersResult['changes'][number]): string =>
    `${changes.length > 1 ? `# cluster ${part.cluster}\n` : ''}${formatPlan(part.changes)}`;
  const text = (): string =>
    `${changes.map(diff).join('\n')}\n${request.command === 'plan' ? 'planned' : 'applied'}: ${JSON.stringify(report.summary)}\n`;
  // A text diff only where some cluster was synced: a run that reached none has nothing to show but its failure.
  if (request.output !== 'text') process.stdout.write(structured(report, request.output));
  else if (changes.length > 0) process.stdout.write(text());
  const where = (cluster: string): string => (report.clusters.length > 1 ? `cluster ${cluster}: ` : '');
  for (const error of report.errors)
    process.stderr.write(`error: ${where(error.cluster)}${error.instance}: ${error.message}\n`);
  if (failed) process.stderr.write(`failed: ${failed.message}\n`);
  if (report.refused) process.stderr.write(`refused: ${report.refused}\n`);
  if (report.refused) return 3;
  return report.errors.length > 0 || failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  },
);
