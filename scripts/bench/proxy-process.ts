/**
 * The counting relay as a process of its own: a client that opens thousands of connections at once costs the relay
 * two file descriptors each, which would exhaust the bench's own (its audit log reads would fail). Started by
 * startProxyProcess(); answers "counts" messages with its totals.
 */
import { startCountingProxy } from './counting-proxy.js';

const proxy = await startCountingProxy(process.argv[2]!);
process.send!({ url: proxy.url });
process.on('message', (message) => {
  if (message === 'counts') process.send!({ counts: proxy.counts() });
});
process.on('disconnect', () => void proxy.stop().finally(() => process.exit(0)));
