import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A dry run of thousands of instances logs one audit record per change, in batches, without any I/O in between:
 * stdout to a pipe is asynchronous on Linux (https://nodejs.org/api/process.html#a-note-on-process-io), so without
 * back-pressure every line waits in the process's memory at once (14 MiB of lines at 4,000 instances, measured by
 * `npm run bench:memory`). Run as a real child process writing to a real pipe, from the build.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const BATCHES = 20;
const PER_BATCH = 500;

// The child writes BATCHES batches through AuditWriter.write, as a dry run does, and reports on stderr the most
// stdout held in its buffer when a write() had resolved.
const script = `
const { AuditWriter } = await import(process.argv[1]);
const { Logger } = await import(process.argv[2]);
const writer = new AuditWriter(new Logger());
const record = (i) => ({
  id: 'id-' + i, time: new Date(0).toISOString(), trigger: { kind: 'resync' },
  instance: { name: 'projects/p/locations/r/instances/cache-' + i },
  object: { api_version: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'istio-system', name: 'x-' + i },
  action: 'create', patch: [{ op: 'add', path: '/spec', value: { hosts: ['h'.repeat(1000)] } }],
  dry_run: true, outcome: 'planned', duration_ms: 0,
});
let most = 0;
for (let b = 0; b < ${BATCHES}; b++) {
  await writer.write(Array.from({ length: ${PER_BATCH} }, (_, i) => record(b * ${PER_BATCH} + i)));
  most = Math.max(most, process.stdout.writableLength);
}
process.stderr.write(JSON.stringify({ most }));
`;

test('a batch of audit records written to a pipe is out of the process before the next is made', async () => {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, `${root}build/shared/audit/audit-writer.js`, `${root}build/shared/log.js`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => (lines += chunk.toString('utf8').split('\n').length - 1));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, stderr: stderr.slice(0, 300) }).toEqual({ code: 0, stderr: expect.stringMatching(/^\{"most"/) });
  expect(lines).toBe(BATCHES * PER_BATCH);
  const { most } = JSON.parse(stderr) as { most: number };
  // One batch's lines are about 0.6 MiB; all of them, 12 MiB.
  expect(most).toBeLessThan(1024 * 1024);
}, 60_000);
