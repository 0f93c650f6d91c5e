// The direction of imports between the folders of shared/ (and functions/ on top), as a lint rule. A folder may import
// from its own layer and the layers before it in LAYERS, never from one after it: the code flows one way, so a pure
// core (model, products, render, plan) cannot come to depend on the adapters, the reconcile loop or the runtime.
// Static imports, re-exports and dynamic import() are all checked (the product clients are loaded by import()).
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layers, lowest first. `base` is the files at the top of shared/ (errors, log, backoff, abort-scope). Derived
 * from the imports as they were when the rule was written; docs/design.md states the same order.
 */
export const LAYERS = [
  'base',
  'model',
  'products',
  'config',
  'events',
  'render',
  'plan',
  'audit',
  'adapters',
  'reconcile',
  'clusters',
  'http',
  'cli',
  'runtime',
  'functions',
];

const ROOT = resolve(import.meta.dirname, '..');

/** The layer of a file of the repository, `outside` for one outside shared/ and functions/. */
export function layerOf(file) {
  const [top, second, ...rest] = relative(ROOT, file).split(sep);
  if (top === 'functions') return 'functions';
  if (top !== 'shared' || second === undefined) return 'outside';
  return rest.length === 0 ? 'base' : second;
}

function check(context, node) {
  const specifier = node.source?.type === 'Literal' ? node.source.value : undefined;
  if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
  const from = layerOf(context.filename);
  if (from === 'outside') return;
  const target = join(dirname(context.filename), specifier);
  const to = layerOf(target);
  const report = (message) => context.report({ node: node.source, message });
  if (to === 'outside')
    return report(
      `shared/ and functions/ import nothing outside them: ${relative(ROOT, target)} is in dev/, test/ or the like`,
    );
  for (const layer of [from, to])
    if (!LAYERS.includes(layer))
      return report(`shared/${layer}/ is in no layer: add it to LAYERS in lint/import-direction.js`);
  if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
    report(`${from} may not import ${to} (${specifier}): the layers run ${LAYERS.join(' < ')}`);
}

export default {
  rules: {
    'import-direction': {
      meta: {
        type: 'problem',
        docs: { description: 'imports between the folders of shared/ run one way' },
        schema: [],
      },
      create: (context) => {
        const visit = (node) => check(context, node);
        return {
          ImportDeclaration: visit,
          ExportNamedDeclaration: visit,
          ExportAllDeclaration: visit,
          ImportExpression: visit,
        };
      },
    },
  },
};
