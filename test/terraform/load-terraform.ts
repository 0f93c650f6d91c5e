import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const TERRAFORM_DIR = fileURLToPath(new URL('../../terraform', import.meta.url));

type Block = Record<string, unknown>;
export interface TerraformModule {
  readonly files: Record<string, string>;
  /** resource type → name → first block */
  readonly resources: Record<string, Record<string, Block>>;
  readonly data: Record<string, Record<string, Block>>;
  readonly variables: Record<string, Block>;
  readonly locals: Record<string, unknown>;
}

/** Parses every .tf file of a folder with an HCL parser and merges them, as Terraform does. */
export async function loadModule(dir: string): Promise<TerraformModule> {
  const files: Record<string, string> = {};
  const module: TerraformModule = { files, resources: {}, data: {}, variables: {}, locals: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    files[file] = text;
    const json = (await parse(file, text)) as Record<string, unknown>;
    merge(module.resources, json['resource']);
    merge(module.data, json['data']);
    for (const [name, blocks] of Object.entries((json['variable'] ?? {}) as Record<string, Block[]>)) module.variables[name] = blocks[0]!;
    for (const block of (json['locals'] ?? []) as Block[]) Object.assign(module.locals, block);
  }
  return module;
}

/** Adds `type → name → blocks` from one file to the module's map (first block of each). */
function merge(target: Record<string, Record<string, Block>>, section: unknown): void {
  const entries = Object.entries((section ?? {}) as Record<string, Record<string, Block[]>>);
  for (const [type, byName] of entries) {
    target[type] = { ...target[type], ...Object.fromEntries(Object.entries(byName).map(([name, blocks]) => [name, blocks[0]!])) };
  }
}

/** First nested block: HCL blocks arrive as one-element arrays. */
export function block(value: unknown, key: string): Block {
  const list = (value as Block)[key] as Block[] | undefined;
  if (!list?.[0]) throw new Error(`no ${key} block`);
  return list[0];
}
