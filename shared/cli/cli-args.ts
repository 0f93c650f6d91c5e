import { parseArgs } from 'node:util';
import { CONFIG_VARIABLES } from '../config/config-variables.js';

export type Command = 'plan' | 'apply' | 'render' | 'explain' | 'access';
export type Output = 'text' | 'json' | 'yaml';

export interface CliRequest {
  readonly command: Command;
  readonly force: boolean;
  readonly output: Output;
  /**
   * The instance of `render` and `explain`: an id (in --location, or the only configured location) or a full resource
   * name.
   */
  readonly instance?: string;
  /** The workload `access` asks about: `NAMESPACE/SERVICEACCOUNT`. */
  readonly caller?: string;
  /** --cluster: the one cluster of SYNC_CLUSTERS to work on; default every one (explain needs one). */
  readonly cluster?: string;
  /** The environment with the flags applied: a flag wins over its variable. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The variables a flag set, with that flag, so a bad value is named as the user gave it. */
  readonly flagged: Readonly<Record<string, string>>;
}

export type CliParse =
  | { readonly ok: true; readonly request: CliRequest }
  | { readonly ok: false; readonly exitCode: 0 | 2; readonly text: string };

const COMMANDS: Readonly<Record<Command, { readonly usage: string; readonly summary: string }>> = {
  plan: {
    usage: 'plan [flags]',
    summary: 'Show what a resync would change, as a diff of YAML (like kubectl diff). Writes nothing.',
  },
  apply: {
    usage: 'apply [--force] [flags]',
    summary: 'Run a resync now: reconcile every instance, print what changed.',
  },
  render: {
    usage: 'render INSTANCE [flags]',
    summary: 'Print the objects an instance gets, read from the Memorystore API, without a cluster.',
  },
  explain: {
    usage: 'explain INSTANCE [flags]',
    summary:
      "What a reconcile of one instance would write now, and, link by link in the live objects, where a pod's connection to each of its endpoints goes.",
  },
  access: {
    usage: 'access INSTANCE NS/SA [flags]',
    summary:
      'May the workloads of service account SA in namespace NS reach the instance? Names the MemorystoreAccess declaration that grants it, or says no (exit 1).',
  },
};

/** Flags that stand for a configuration variable; the flag wins when both are given. */
const FLAG_VARIABLES = {
  kubeconfig: 'KUBECONFIG',
  context: 'KUBE_CONTEXT',
  project: 'MEMORYSTORE_PROJECT',
  location: 'MEMORYSTORE_LOCATIONS',
} as const;

const FLAGS = [
  '  --kubeconfig PATH     kubeconfig file of the cluster (KUBECONFIG; wins over GKE_CLUSTER_ENDPOINT and SYNC_CLUSTERS)',
  '  --context NAME        context of that kubeconfig (KUBE_CONTEXT)',
  '  --cluster NAME        only this cluster of SYNC_CLUSTERS (default: every one; explain needs one)',
  '  --project ID          project of the Memorystore instances (MEMORYSTORE_PROJECT)',
  '  --location REGION     region to sync; repeat for several (MEMORYSTORE_LOCATIONS)',
  '  -o, --output FORMAT   text (default), json or yaml',
  '  -h, --help            this help',
];

const variablesText = (): string =>
  CONFIG_VARIABLES.map(
    (v) => `  ${v.name.padEnd(28)}${v.default !== undefined ? `default ${v.default}` : v.required ? 'required' : ''}`,
  ).join('\n');

export function usage(command?: Command): string {
  if (!command) {
    const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(26)}${c.summary}`);
    return `usage: memorystore-egress-sync COMMAND [flags]\n\ncommands:\n${lines.join('\n')}\n\nmemorystore-egress-sync COMMAND --help shows a command's flags and the environment variables it reads.\n`;
  }
  const force =
    command === 'apply'
      ? ['  --force               apply even a plan that deletes more than MAX_PRUNE_FRACTION of the managed instances']
      : [];
  return `usage: memorystore-egress-sync ${COMMANDS[command].usage}\n\n${COMMANDS[command].summary}\n\nflags:\n${[...force, ...FLAGS].join('\n')}\n\nenvironment (docs/configuration.md):\n${variablesText()}\n`;
}

const isCommand = (value: string | undefined): value is Command => value !== undefined && value in COMMANDS;

const OPTIONS = {
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  cluster: { type: 'string' },
  project: { type: 'string' },
  location: { type: 'string', multiple: true },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Flags that do not go together, or not with this command. */
function flagConflict(command: Command, values: Values): string | undefined {
  if (values.force && command !== 'apply') return '--force belongs to apply only';
  if (values.cluster !== undefined && values.kubeconfig !== undefined)
    return '--cluster picks a cluster of SYNC_CLUSTERS; --kubeconfig names one instead: give one of them';
  return undefined;
}

/** What is wrong with a well-formed command line, for `usage` to follow; undefined when nothing is. */
function misuse(command: Command, positionals: readonly string[], values: Values, output: string): string | undefined {
  if (output !== 'text' && output !== 'json' && output !== 'yaml')
    return `--output must be text, json or yaml, not ${JSON.stringify(output)}`;
  const conflict = flagConflict(command, values);
  if (conflict) return conflict;
  return positionalsMisuse(command, positionals);
}

/** What is wrong with the words after the command, if anything. */
function positionalsMisuse(command: Command, positionals: readonly string[]): string | undefined {
  if (command === 'render' || command === 'explain')
    return positionals.length === 2 ? undefined : `${command} takes one INSTANCE`;
  if (command === 'access')
    return positionals.length === 3 ? undefined : 'access takes an INSTANCE and a NAMESPACE/SERVICEACCOUNT';
  return positionals.length > 1 ? `unexpected ${JSON.stringify(positionals[1])}` : undefined;
}

/** The variables the flags stand for; a kubeconfig given on the command line also wins over a GKE endpoint. */
function overrides(values: Values): Record<string, string | undefined> {
  const given: Record<string, string | undefined> = {};
  if (values.kubeconfig !== undefined)
    Object.assign(given, {
      [FLAG_VARIABLES.kubeconfig]: values.kubeconfig,
      GKE_CLUSTER_ENDPOINT: undefined,
      GKE_CLUSTER_CA_CERT: undefined,
      SYNC_CLUSTERS: undefined,
    });
  if (values.context !== undefined) given[FLAG_VARIABLES.context] = values.context;
  if (values.project !== undefined) given[FLAG_VARIABLES.project] = values.project;
  if (values.location !== undefined) given[FLAG_VARIABLES.location] = values.location.join(',');
  return given;
}

/** The instance and the cluster the command names, if it names them. */
const picked = (instance: string | undefined, values: Values): Pick<CliRequest, 'instance' | 'cluster'> => ({
  ...(instance ? { instance } : {}),
  ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
});

/** Parses the command line into a request, or the text to print (help, or a usage error) and the exit code. */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliParse {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return { ok: false, exitCode: 2, text: `${(error as Error).message}\n\n${usage()}` };
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (!isCommand(command))
    return {
      ok: false,
      exitCode: values.help ? 0 : 2,
      text: `${command ? `unknown command ${JSON.stringify(command)}\n\n` : ''}${usage()}`,
    };
  if (values.help) return { ok: false, exitCode: 0, text: usage(command) };
  const output = values.output ?? (values.json ? 'json' : 'text');
  const wrong = misuse(command, positionals, values, output);
  if (wrong) return { ok: false, exitCode: 2, text: `${wrong}\n\n${usage(command)}` };
  return {
    ok: true,
    request: {
      command,
      force: values.force === true,
      output: output as Output,
      ...picked(positionals[1], values),
      ...(command === 'access' ? { caller: positionals[2]! } : {}),
      env: { ...env, ...overrides(values) },
      flagged: Object.fromEntries(
        Object.entries(FLAG_VARIABLES).flatMap(([flag, variable]) =>
          values[flag as keyof typeof FLAG_VARIABLES] !== undefined ? [[variable, `--${flag}`]] : [],
        ),
      ),
    },
  };
}

/**
 * A configuration error as the command line prints it, every problem on its line: a variable that a flag set is
 * named by the flag first (`--kubeconfig (KUBECONFIG): ...`), since that is what the user typed.
 */
export function configErrorText(
  problems: ReadonlyArray<{ readonly variable: string; readonly message: string }>,
  flagged: Readonly<Record<string, string>> = {},
): string {
  const lines = problems.map(({ variable, message }) => {
    const flag = flagged[variable];
    return flag && message.startsWith(variable) ? `${flag} (${variable})${message.slice(variable.length)}` : message;
  });
  return `configuration error:\n${lines.map((l) => `  ${l.split('\n').join('\n  ')}`).join('\n')}\n`;
}
