import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('stages import the settings types, not the parser: only entry points and the parser tests parse', () => {
  const root = process.cwd();
  const importers = ['shared', 'functions', 'bin', 'dev', 'scripts', 'test']
    .flatMap((dir) => sources(join(root, dir)))
    .filter((file) => /from '[^']*\/parse-config\.js'/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
    .filter((file) => !file.startsWith('test/unit/config/'))
    .sort();
  expect(importers).toEqual([
    'bin/memorystore-egress-sync.ts',
    'dev/fixtures/settings.ts',
    'functions/index.ts',
    'scripts/bench/ceiling-probe.ts',
    'scripts/bench/core-bench.ts',
    'scripts/bench/measure-size.ts',
    'scripts/bench/node-ports-cost.ts',
    'scripts/bench/ports-phase.ts',
    'scripts/chaos/stolen-identity-phase.ts',
    'test/terraform/private-cluster.test.ts',
    'test/unit/cli/cli-args.test.ts',
    'test/unit/one-rig.test.ts',
  ]);
});
