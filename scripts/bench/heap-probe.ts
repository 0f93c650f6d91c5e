/**
 * Loaded into a measured function process with `--import`: samples the V8 heap every 20 ms and writes its peak (and
 * the RSS at that moment) to BENCH_HEAP_FILE, so a process that dies of heap exhaustion still leaves its last peak.
 * The bench reads the file; the function itself never sees this module.
 */
import { writeFileSync } from 'node:fs';

const file = process.env['BENCH_HEAP_FILE'];
if (file) {
  let peakHeap = 0;
  const sample = (): void => {
    const { heapUsed, rss } = process.memoryUsage();
    if (heapUsed <= peakHeap) return;
    peakHeap = heapUsed;
    writeFileSync(file, JSON.stringify({ peakHeapMiB: heapUsed / 2 ** 20, rssAtPeakMiB: rss / 2 ** 20 }));
  };
  setInterval(sample, 20).unref();
}
