import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

// The code flows one way: no folder of shared/ imports, directly or through others, a folder that imports it back.
// Read from the sources themselves, so a new import that closes a loop fails here, not in a later review.
const SHARED = join(process.cwd(), 'shared');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The part of shared/ a file belongs to: its top folder, or the file itself at the top. */
const unitOf = (file: string): string => relative(SHARED, file).split('/')[0]!;

/** The relative modules a source imports: statically, by re-export, or by a dynamic `import('...')`. */
const importsOf = (text: string): string[] =>
  [...text.matchAll(/(?:from |import |import\()'(\.{1,2}\/[^']+)'/g)].map(([, spec]) => spec!);

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SHARED)) {
    const from = unitOf(file);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const to = unitOf(normalize(join(dirname(file), spec)));
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), node, next]);
      else if (!state.has(next)) visit(next, [...path, node]);
    }
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node, []);
  return found;
}

describe('the layers of shared/', () => {
  test('the check sees a loop when there is one', () => {
    const loop = new Map([
      ['plan', new Set(['render'])],
      ['render', new Set(['config'])],
      ['config', new Set(['plan'])],
    ]);
    expect(cycles(loop)).toEqual([['config', 'plan', 'render', 'config']]);
  });

  test('the check reads static, re-exported and dynamic imports', () => {
    const text = [
      "import { a } from '../model/instance.js';",
      "export { b } from './names.js';",
      "import './side-effect.js';",
      "const { c } = await import('../products/redis/client.js');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      '../model/instance.js',
      './names.js',
      './side-effect.js',
      '../products/redis/client.js',
    ]);
  });

  test('no folder imports one that imports it back', () => {
    const graph = folderGraph();
    expect(graph.get('plan')).toContain('model');
    expect(cycles(graph)).toEqual([]);
  });
});
