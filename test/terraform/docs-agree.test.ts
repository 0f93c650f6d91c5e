import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadModule, resource, TERRAFORM_DIR, block } from '../../dev/terraform/load-terraform.js';

/** What the docs say about the deployment is what the module does. */
const OPERATIONS = readFileSync(fileURLToPath(new URL('../../docs/operations.md', import.meta.url)), 'utf8');
const TF_README = readFileSync(join(TERRAFORM_DIR, 'README.md'), 'utf8');
const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

test('the scheduler calls the deterministic run.app URL, and the docs say so', async () => {
  const tf = await loadModule(TERRAFORM_DIR);
  expect(block(resource(tf, 'google_cloud_scheduler_job', 'resync'), 'http_target')['uri']).toBe('${local.resync_url}');
  expect(oneLine(OPERATIONS)).not.toMatch(/Cloud Scheduler calls the `run.app` URL \(`service_config\[0\]\.uri`\)/);
  expect(oneLine(OPERATIONS)).toContain('Cloud Scheduler calls the deterministic `run.app` URL');
});

test('the number of admission policies the docs name is the number the manifest holds', () => {
  const manifest = readFileSync(join(TERRAFORM_DIR, 'kubernetes/admission-policy.yaml.tftpl'), 'utf8');
  const kinds = parseAllDocuments(manifest.replace(/\$\{\w+\}/g, 'x')).map((d) => (d.toJS() as { kind: string }).kind);
  const count = kinds.filter((k) => k === 'ValidatingAdmissionPolicy').length;
  const words: Record<number, string> = { 2: 'two', 3: 'three', 4: 'four' };
  const said = /closes that with (\w+)\s+\[ValidatingAdmissionPolicies\]/.exec(TF_README)?.[1];
  expect(said).toBe(words[count]);
});

test('the RBAC verbs the docs list are the verbs the manifest grants', () => {
  const manifest = readFileSync(join(TERRAFORM_DIR, 'kubernetes/rbac.yaml.tftpl'), 'utf8');
  const istioVerbs = (
    parseAllDocuments(manifest.replace(/\$\{\w+\}/g, 'x'))
      .map((d) => d.toJS() as { rules?: Array<{ apiGroups: string[]; verbs: string[] }> })
      .flatMap((d) => d.rules ?? [])
      .find((r) => r.apiGroups.includes('networking.istio.io'))?.verbs ?? []
  ).join('/');
  const said = /In each cluster the\s+functions may only ([a-z/]+) ServiceEntries/.exec(TF_README)?.[1];
  expect(said).toBe(istioVerbs);
});
