import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { componentPath } from '../process.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AnalyzerMessage {
  readonly code: string;
  readonly level: string;
  readonly message: string;
  readonly origin?: string;
}

export interface AnalyzeResult {
  /**
   * istioctl's exit status. With `-o json` it is 0 whatever the findings (istioctl only fails the log format): judge
   * `messages`.
   */
  readonly code: number;
  readonly messages: AnalyzerMessage[];
  readonly stderr: string;
}

let binary: string | undefined;

function run(args: string[]): Promise<RunResult> {
  binary ??= componentPath('istioctl');
  return new Promise((resolve) => {
    execFile(binary!, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `istioctl validate`: the same checks istiod's validating webhook runs (more than the CRDs' CEL rules), no cluster.
 */
export function istioctlValidate(files: readonly string[]): Promise<RunResult> {
  return run(['validate', ...files.flatMap((f) => ['-f', f])]);
}

export interface AnalyzeOptions {
  /**
   * Analyze against this cluster too (istioctl's default mode) instead of files only. Needed for every analyzer that
   * looks at Pods, Services, Namespaces or Secrets: with `--use-kube=false` istioctl drops those kinds from the files
   * it reads and skips those analyzers (egress gateway selector IST0101, gateway port missing from the Service
   * IST0162, VirtualService destination host IST0101, DestinationRule subset pods...).
   */
  kubeconfig?: string;
}

/** The JSON array istioctl prints: its own log lines (warnings about skipped files) come first on stdout. */
function parseMessages(stdout: string): AnalyzerMessage[] {
  const start = stdout.search(/^\[/m);
  if (start < 0) throw new Error(`istioctl analyze gave no JSON:\n${stdout}`);
  return (JSON.parse(stdout.slice(start)) as AnalyzerMessage[]).map((m) => ({
    code: m.code,
    level: m.level,
    message: m.message,
    ...(m.origin ? { origin: m.origin } : {}),
  }));
}

/**
 * `istioctl analyze` on files, every message of level Info and above. Traps it avoids:
 * - without `--all-namespaces` only `default` is analyzed, and objects elsewhere pass with no message at all;
 * - in JSON mode a file that does not parse is skipped and the result is a clean `[]` with exit status 0, so the
 *   "Error(s) adding files" report on stderr is turned into an error here.
 */
export async function istioctlAnalyze(files: readonly string[], options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const source = options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : ['--use-kube=false'];
  const result = await run([
    'analyze',
    ...source,
    '--all-namespaces',
    '-o',
    'json',
    '--failure-threshold',
    'Info',
    ...files,
  ]);
  if (result.stderr.includes('Error(s) adding files'))
    throw new Error(`istioctl analyze could not read its input:\n${result.stderr}`);
  if (result.code !== 0) throw new Error(`istioctl analyze failed (exit ${result.code}):\n${result.stderr}`);
  return { code: result.code, messages: parseMessages(result.stdout), stderr: result.stderr };
}

/** Writes objects as one multi-document YAML file and returns its path. */
export function writeYamlDocs(dir: string, objects: readonly unknown[], name = 'objects.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}
