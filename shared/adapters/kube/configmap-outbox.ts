import type { AuditRecord } from '../../audit/audit-record.js';
import type { AuditOutbox, OutboxContents } from '../../audit/audit-outbox.js';
import { LABEL_MANAGED_BY, LABEL_OWNER, APP_NAME } from '../../model/k8s-object.js';
import { KubeApiError } from '../../errors.js';
import type { KubeHttp } from './kube-http.js';

/** A ConfigMap holds at most 1 MiB; the oldest records give way past this, and the count of dropped ones is kept. */
const MAX_BYTES = 900 * 1024;
const DATA_KEY = 'records.jsonl';
const DROPPED = 'memorystore-egress-sync/dropped-records';
/** Tries of a stash that meets a concurrent one (HTTP 409). */
const STASH_TRIES = 5;

interface ConfigMapJson {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

const status = (error: unknown): number | undefined => (error instanceof KubeApiError ? error.status : undefined);

function parseLines(text: string | undefined): AuditRecord[] {
  return (text ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

/** The newest records that fit, and how many older ones had to go. */
function fitting(records: readonly AuditRecord[]): { lines: string; dropped: number } {
  const lines = records.map((r) => JSON.stringify(r));
  let bytes = 0;
  let first = lines.length;
  while (first > 0 && bytes + Buffer.byteLength(lines[first - 1]!) + 1 <= MAX_BYTES)
    bytes += Buffer.byteLength(lines[--first]!) + 1;
  return { lines: lines.slice(first).join('\n'), dropped: first };
}

/**
 * The audit outbox as a ConfigMap in the Istio namespace, labelled as this deployment's. RBAC lets the functions create
 * ConfigMaps and read, replace and delete only this one; the admission policy refuses any other name.
 */
export class ConfigMapOutbox implements AuditOutbox {
  private readonly path: string;

  constructor(
    private readonly http: KubeHttp,
    private readonly namespace: string,
    private readonly name: string,
    private readonly ownerId: string,
  ) {
    this.path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  }

  async stash(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (let tries = 1; ; tries++) {
      try {
        const current = await this.read();
        return await this.write(current, [...parseLines(current?.data?.[DATA_KEY]), ...records]);
      } catch (error) {
        if (status(error) !== 409 || tries >= STASH_TRIES) throw error;
      }
    }
  }

  async take(): Promise<OutboxContents | undefined> {
    const current = await this.read();
    const records = parseLines(current?.data?.[DATA_KEY]);
    return current && records.length > 0 ? { records, version: current.metadata.resourceVersion ?? '' } : undefined;
  }

  async settle(taken: OutboxContents, unpublished: readonly AuditRecord[]): Promise<void> {
    try {
      if (unpublished.length === 0) {
        await this.http.send({
          method: 'DELETE',
          path: `${this.path}/${this.name}`,
          body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: taken.version } },
        });
        return;
      }
      const current = await this.read();
      if (current?.metadata.resourceVersion !== taken.version) return;
      await this.write(current, unpublished);
    } catch (error) {
      // Stashed meanwhile (409) or already gone (404): what was published is published; the rest is taken next time,
      // so a record may reach the topic twice (its id tells the copies apart), never not at all.
      if (status(error) !== 409 && status(error) !== 404) throw error;
    }
  }

  private async read(): Promise<ConfigMapJson | undefined> {
    try {
      return await this.http.send<ConfigMapJson>({ method: 'GET', path: `${this.path}/${this.name}` });
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  }

  private async write(current: ConfigMapJson | undefined, records: readonly AuditRecord[]): Promise<void> {
    const { lines, dropped } = fitting(records);
    const before = Number(current?.metadata.annotations?.[DROPPED] ?? 0);
    const body: ConfigMapJson = {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: this.ownerId },
        annotations: { [DROPPED]: String(before + dropped) },
        ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      data: { [DATA_KEY]: lines },
    };
    const request = { body: { apiVersion: 'v1', kind: 'ConfigMap', ...body } };
    if (current) await this.http.send({ method: 'PUT', path: `${this.path}/${this.name}`, ...request });
    else await this.http.send({ method: 'POST', path: this.path, ...request });
  }
}
