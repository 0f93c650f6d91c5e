import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../process.js';

/**
 * One of the manifest templates Terraform installs (terraform/kubernetes/*.yaml.tftpl) with its `${name}`
 * placeholders filled in, as templatefile() does for these plain placeholders. An unknown placeholder is an error, so
 * a template and its callers cannot drift apart silently.
 */
export function renderTemplate(file: string, values: Readonly<Record<string, string>>): string {
  const template = readFileSync(join(REPO_ROOT, 'terraform/kubernetes', file), 'utf8');
  return template.replace(/\$\{(\w+)\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${file}: unknown placeholder ${key}`);
    return value;
  });
}
