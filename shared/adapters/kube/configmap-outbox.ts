import type { AuditRecord } from '../../audit/audit-record.js';
import type { AuditOutbox, OutboxContents, StashResult } from '../../audit/audit-outbox.js';
import { parseOutbox } from '../../audit/outbox-lines.js';
import { LABEL_MANAGED_BY, LABEL_OWNER, APP_NAME } from '../../model/k8s-object.js';
import { KubeApiError } from '../../errors.js';
import type { KubeHttp } from './kube-http.js';

/** A ConfigMap holds at most 1 MiB; the oldest records give way past this, and the count of dropped ones is kept. */
const MAX_BYTES = 900 * 1024;
const DATA_KEY = 'records.jsonl';
const DROPPED = 'memorystore-egress-sync/dropped-records';
const CORRUPT = 'memorystore-egress-sync/skipped-lines';
/** Tries of a stash that meets a concurrent stash (HTTP 409) or a flush that deleted the outbox (404). */
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

/**
 * The newest records that fit, and how many older ones had to go. A record larger than the outbox alone (the Service
 * ports of thousands of instances in one record) is refused: it is in the log, and the others are kept.
 */
function fitting(records: readonly AuditRecord[]): { lines: string; dropped: number; refused: AuditRecord[] } {
  const sized = records.map((record) => {
    const line = JSON.stringify(record);
    return { record, line, bytes: Buffer.byteLength(line) + 1 };
  });
  const refused = sized.filter((r) => r.bytes > MAX_BYTES).map((r) => r.record);
  const candidates = sized.filter((r) => r.bytes <= MAX_BYTES);
  let bytes = 0;
  let first = candidates.length;
  while (first > 0 && bytes + candidates[first - 1]!.bytes <= MAX_BYTES) bytes += candidates[--first]!.bytes;
  return {
    lines: candidates
      .slice(first)
      .map((r) => r.line)
      .join('\n'),
    dropped: first,
    refused,
  };
}

/** The outbox's counts of records that gave way and lines that were no record, with this write's added. */
function counts(current: ConfigMapJson | undefined, dropped: number): Record<string, string> {
  const count = (key: string): number => Number(current?.metadata.annotations?.[key] ?? 0);
  const corrupt = parseOutbox(current?.data?.[DATA_KEY]).corrupt.length;
  return { [DROPPED]: String(count(DROPPED) + dropped), [CORRUPT]: String(count(CORRUPT) + corrupt) };
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

  async stash(records: readonly AuditRecord[]): Promise<StashResult> {
    if (records.length === 0) return { refused: [], dropped: 0 };
    for (let tries = 1; ; tries++) {
      try {
        const current = await this.read();
        const kept = parseOutbox(current?.data?.[DATA_KEY]).records;
        const result = await this.write(current, [...kept, ...records]);
        const refused = result.refused.filter((r) => records.includes(r));
        if (refused.length === records.length) throw new Error(`${refused.length} record(s) too large for the outbox`);
        return { refused, dropped: result.dropped };
      } catch (error) {
        // A stash that met another (409) or a flush that deleted the outbox after our read (404) reads it again.
        if ((status(error) !== 409 && status(error) !== 404) || tries >= STASH_TRIES) throw error;
      }
    }
  }

  async take(): Promise<OutboxContents | undefined> {
    const current = await this.read();
    const { records, corrupt } = parseOutbox(current?.data?.[DATA_KEY]);
    if (!current || (records.length === 0 && corrupt.length === 0)) return undefined;
    return { records, corrupt, version: current.metadata.resourceVersion ?? '' };
  }

  async keepOnly(taken: OutboxContents, unpublished: readonly AuditRecord[]): Promise<void> {
    try {
      if (unpublished.length === 0 && taken.corrupt.length === 0) {
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

  private async write(
    current: ConfigMapJson | undefined,
    records: readonly AuditRecord[],
  ): Promise<{ refused: AuditRecord[]; dropped: number }> {
    const { lines, dropped, refused } = fitting(records);
    const body: ConfigMapJson = {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: this.ownerId },
        annotations: counts(current, dropped),
        ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      data: { [DATA_KEY]: lines },
    };
    const request = { body: { apiVersion: 'v1', kind: 'ConfigMap', ...body } };
    if (current) await this.http.send({ method: 'PUT', path: `${this.path}/${this.name}`, ...request });
    else await this.http.send({ method: 'POST', path: this.path, ...request });
    return { refused, dropped };
  }
}
