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

/** `istioctl validate`: the same checks istiod's validating webhook runs, with no cluster. */
export function istioctlValidate(files: readonly string[]): Promise<RunResult> {
  return run(['validate', ...files.flatMap((f) => ['-f', f])]);
}

/**
 * `istioctl analyze` on files only, every message of level Info and above. `--all-namespaces` matters: without it only
 * the `default` namespace is analyzed and objects elsewhere pass with no message at all.
 */
export async function istioctlAnalyze(files: readonly string[]): Promise<{ code: number; messages: AnalyzerMessage[]; stderr: string }> {
  const result = await run(['analyze', '--use-kube=false', '--all-namespaces', '-o', 'json', '--failure-threshold', 'Info', ...files]);
  const start = result.stdout.indexOf('[');
  const messages = start >= 0 ? (JSON.parse(result.stdout.slice(start)) as Array<{ code: string; level: string; message: string; origin?: string }>) : [];
  return { code: result.code, messages: messages.map((m) => ({ code: m.code, level: m.level, message: m.message, ...(m.origin ? { origin: m.origin } : {}) })), stderr: result.stderr };
}

/** Writes objects as one multi-document YAML file and returns its path. */
export function writeYamlDocs(dir: string, objects: readonly unknown[], name = 'objects.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}
