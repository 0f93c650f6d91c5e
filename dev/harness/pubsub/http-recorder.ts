import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRecorder {
  /** `http://127.0.0.1:port/` */
  readonly url: string;
  /** Every request received, in order. */
  readonly received: readonly RecordedRequest[];
  /** Sets the status each following request gets (it is already in `received` when this is asked). */
  answerWith(status: (request: RecordedRequest) => number): void;
  close(): Promise<void>;
}

/** A stand-in for a function behind the event bridge: records each POST and answers 204 unless told otherwise. */
export async function startHttpRecorder(): Promise<HttpRecorder> {
  const received: RecordedRequest[] = [];
  let answer = (_request: RecordedRequest): number => 204;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      res.writeHead(answer(request)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    answerWith(status) {
      answer = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
