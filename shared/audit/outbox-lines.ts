import type { AuditRecord } from './audit-record.js';
import { logParts } from './log-parts.js';

/**
 * Audit records as the lines of an outbox, and back. A record whose line is over `partBytes` is kept as several
 * lines, each the record with a slice of its patch and `outbox_part`, put back together when read; a record is kept
 * or given way whole. A line that is no record (a hand edit, a cut write) is skipped and reported, never fatal.
 */
export interface OutboxLines {
  /** One record's lines. */
  readonly lines: readonly string[];
  readonly bytes: number;
  readonly record: AuditRecord;
}

type PartLine = AuditRecord & { readonly outbox_part?: { readonly index: number; readonly count: number } };

export function linesOf(record: AuditRecord, partBytes: number): OutboxLines {
  const whole = JSON.stringify(record);
  const lines =
    Buffer.byteLength(whole) <= partBytes
      ? [whole]
      : logParts(record, Math.floor(partBytes / 2)).map(({ record: slice, part }) =>
          JSON.stringify(part ? { ...slice, outbox_part: part } : slice),
        );
  return { lines, bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0), record };
}

const isRecordLike = (value: unknown): value is PartLine =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { id?: unknown }).id === 'string' &&
  Array.isArray((value as { patch?: unknown }).patch);

/** The records of an outbox's text, whole again, and the start of each line that is no record (or an orphan part). */
export function parseOutbox(text: string | undefined): { records: AuditRecord[]; corrupt: string[] } {
  const records: AuditRecord[] = [];
  const corrupt: string[] = [];
  const parts = new Map<string, { lines: string[]; slices: PartLine[] }>();
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (!isRecordLike(value)) {
      corrupt.push(line.slice(0, 200));
      continue;
    }
    if (!value.outbox_part) {
      records.push(value);
      continue;
    }
    const key = `${value.id}/${value.outbox_part.count}`;
    const group = parts.get(key) ?? { lines: [], slices: [] };
    group.lines.push(line);
    group.slices.push(value);
    parts.set(key, group);
    if (group.slices.length === value.outbox_part.count) {
      parts.delete(key);
      const ordered = [...group.slices].sort((a, b) => a.outbox_part!.index - b.outbox_part!.index);
      const { outbox_part: _part, ...first } = ordered[0]!;
      records.push({ ...first, patch: ordered.flatMap((slice) => slice.patch) });
    }
  }
  for (const group of parts.values()) corrupt.push(...group.lines.map((line) => line.slice(0, 200)));
  return { records, corrupt };
}
