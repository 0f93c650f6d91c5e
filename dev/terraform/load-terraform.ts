import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const TERRAFORM_DIR = fileURLToPath(new URL('../../terraform', import.meta.url));
export const EXAMPLE_DIR = join(TERRAFORM_DIR, 'examples/basic');
export const CLUSTER_RBAC_DIR = join(TERRAFORM_DIR, 'modules/cluster-rbac');

export type Block = Record<string, unknown>;
export interface TerraformModule {
  readonly files: Record<string, string>;
  /** resource type → name → first block */
  readonly resources: Record<string, Record<string, Block>>;
  readonly data: Record<string, Record<string, Block>>;
  readonly variables: Record<string, Block>;
  readonly locals: Record<string, unknown>;
  /** module call name → its block */
  readonly modules: Record<string, Block>;
  readonly outputs: Record<string, Block>;
  /** every `moved` block, in file order */
  readonly moved: Block[];
  /** provider name → every configuration of it (the default one and each alias) */
  readonly providers: Record<string, Block[]>;
}

/** Parses every .tf file of a folder with an HCL parser and merges them, as Terraform does. */
export async function loadModule(dir: string): Promise<TerraformModule> {
  const files: Record<string, string> = {};
  const module: TerraformModule = {
    files,
    resources: {},
    data: {},
    variables: {},
    locals: {},
    modules: {},
    outputs: {},
    moved: [],
    providers: {},
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    files[file] = text;
    const json = (await parse(file, text)) as Record<string, unknown>;
    merge(module.resources, json['resource']);
    merge(module.data, json['data']);
    for (const [name, blocks] of Object.entries((json['variable'] ?? {}) as Record<string, Block[]>))
      module.variables[name] = blocks[0]!;
    for (const [name, blocks] of Object.entries((json['module'] ?? {}) as Record<string, Block[]>))
      module.modules[name] = blocks[0]!;
    for (const [name, blocks] of Object.entries((json['output'] ?? {}) as Record<string, Block[]>))
      module.outputs[name] = blocks[0]!;
    module.moved.push(...((json['moved'] ?? []) as Block[]));
    for (const [name, blocks] of Object.entries((json['provider'] ?? {}) as Record<string, Block[]>))
      module.providers[name] = [...(module.providers[name] ?? []), ...blocks];
    for (const block of (json['locals'] ?? []) as Block[]) Object.assign(module.locals, block);
  }
  return module;
}

/** Adds `type → name → blocks` from one file to the module's map (first block of each). */
function merge(target: Record<string, Record<string, Block>>, section: unknown): void {
  const entries = Object.entries((section ?? {}) as Record<string, Record<string, Block[]>>);
  for (const [type, byName] of entries) {
    target[type] = {
      ...target[type],
      ...Object.fromEntries(Object.entries(byName).map(([name, blocks]) => [name, blocks[0]!])),
    };
  }
}

/** One resource, or a failure naming it. */
export function resource(tf: TerraformModule, type: string, name: string): Block {
  const found = tf.resources[type]?.[name];
  if (!found) throw new Error(`no resource ${type}.${name}`);
  return found;
}

/** Every resource of a type, by name (none: empty). */
export function resourcesOf(tf: TerraformModule, type: string): Record<string, Block> {
  return tf.resources[type] ?? {};
}

/** First nested block: HCL blocks arrive as one-element arrays. */
export function block(value: unknown, key: string): Block {
  const list = (value as Block)[key] as Block[] | undefined;
  if (!list?.[0]) throw new Error(`no ${key} block`);
  return list[0];
}

/** A path of nested blocks: block(block(block(x, a), b), c). */
export function nested(value: unknown, ...keys: string[]): Block {
  return keys.reduce<Block>((current, key) => block(current, key), value as Block);
}

/** The string literals of the first `[...]` list that follows `marker` in an expression. */
export function listAfter(expression: string, marker: string): string[] {
  const start = expression.indexOf(marker);
  const list = start < 0 ? null : /\[([^\]]*)\]/.exec(expression.slice(start));
  if (!list) throw new Error(`no list after ${marker}`);
  return [...list[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}
