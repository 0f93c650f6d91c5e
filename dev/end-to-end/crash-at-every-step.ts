import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ANNOTATION_LAST_CHANGE_ID } from '../../shared/model/k8s-object.js';
import type { CrashChildInput } from './crash-child.js';

/** The compiled child: tests and the chaos run both run from the build. */
const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url)).replace(/\.ts$/, '.js');

export interface CrashFigures {
  /** Reconciles run, each killed after its first write returned, until one ran to the end. */
  readonly kills: number;
  /** Our objects in the cluster at the end. */
  readonly objects: number;
  /** Objects whose last-change-id no audit line (intent or record) of any run holds. */
  readonly withoutRecord: readonly string[];
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: readonly string[];
  readonly stderr: string;
}

function runChild(input: CrashChildInput, compiledChild: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [compiledChild, JSON.stringify(input)],
      { maxBuffer: 256 * 1024 * 1024 },
      (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, signal: child.signalCode, lines: stdout.split('\n'), stderr }),
    );
  });
}

/** The ids audit lines (intents and records) hold. */
function loggedIds(lines: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { message?: string; record?: { id?: string } };
    if ((entry.message === 'audit record' || entry.message === 'audit intent') && entry.record?.id)
      ids.add(entry.record.id);
  }
  return ids;
}

async function lastChangeIds(kubeconfig: string, namespace: string): Promise<Map<string, string>> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(CustomObjectsApi);
  const ids = new Map<string, string>();
  for (const plural of ['serviceentries', 'gateways', 'destinationrules', 'virtualservices']) {
    const list = (await api.listNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace,
      plural,
    })) as { items: Array<{ kind?: string; metadata: { name: string; annotations?: Record<string, string> } }> };
    for (const item of list.items)
      ids.set(`${plural}/${item.metadata.name}`, item.metadata.annotations?.[ANNOTATION_LAST_CHANGE_ID] ?? '');
  }
  return ids;
}

/**
 * Reconciles `instances`, re-addresses them all, then removes the first `removed`, with the process killed after
 * every write: each run is killed once its first write returns (the writes of the same step still in flight may land
 * too, recorded only by their intents), the next run goes on from what the cluster then holds, until a run has
 * nothing left to write. Then every object's last-change-id must be in some run's audit lines.
 */
export async function crashAtEveryStep(
  base: Omit<CrashChildInput, 'killAfter'>,
  options: { readonly removed?: number; readonly compiledChild?: string; readonly maxRuns?: number } = {},
): Promise<CrashFigures> {
  const child = options.compiledChild ?? CHILD;
  const logged = new Set<string>();
  let kills = 0;
  const converge = async (instances: readonly string[], more: Partial<CrashChildInput> = {}): Promise<void> => {
    for (let runs = 0; runs < (options.maxRuns ?? 200); runs++) {
      const run = await runChild({ ...base, ...more, instances, killAfter: 1 }, child);
      for (const id of loggedIds(run.lines)) logged.add(id);
      if (run.signal === 'SIGKILL') {
        kills++;
        continue;
      }
      if (run.code !== 0) throw new Error(`the reconcile failed: ${run.stderr.slice(0, 500)}`);
      return;
    }
    throw new Error('the reconciles did not converge');
  };
  await converge(base.instances);
  // Every address changes (updates), then some instances go (deletes, ports freed).
  await converge(base.instances, { hostPrefix: '10.8.0.' });
  const removed = base.instances.slice(0, options.removed ?? 0);
  if (removed.length > 0)
    await converge(base.instances.slice(removed.length), { hostPrefix: '10.8.0.', gone: removed });
  const objects = await lastChangeIds(base.kubeconfig, base.namespace);
  const withoutRecord = [...objects].filter(([, id]) => !logged.has(id)).map(([key, id]) => `${key} (${id})`);
  return { kills, objects: objects.size, withoutRecord };
}
