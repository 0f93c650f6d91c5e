import type { AuditRecord } from './audit-record.js';

/**
 * Audit records as the lines of an outbox (one JSON record a line), and back. A line that is no record (a hand edit,
 * a cut write) is skipped and reported, never fatal: one bad line must not keep every other record from the topic.
 */
const isRecordLike = (value: unknown): value is AuditRecord =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { id?: unknown }).id === 'string' &&
  Array.isArray((value as { patch?: unknown }).patch);

function parsed(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The records of an outbox's text, and the start of each line that is no record. */
export function parseOutbox(text: string | undefined): { records: AuditRecord[]; corrupt: string[] } {
  const records: AuditRecord[] = [];
  const corrupt: string[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '') continue;
    const value = parsed(line);
    if (isRecordLike(value)) records.push(value);
    else corrupt.push(line.slice(0, 200));
  }
  return { records, corrupt };
}
