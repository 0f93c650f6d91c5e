import { join } from 'node:path';
import { ESLint } from 'eslint';

// The lint rule that keeps imports between the folders of shared/ one way, run through the project's own ESLint
// configuration on snippets placed at real paths: a wrong import must be reported, a right one must not.
const ROOT = process.cwd();
const eslint = new ESLint({ cwd: ROOT });

async function layerMessages(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'layers/import-direction').map((m) => m.message);
}

describe('the import direction lint rule', () => {
  test.each([
    ["import { objectName } from '../render/names.js';", 'shared/model/instance.ts', 'model', 'render'],
    ["import type { Settings } from '../config/settings.js';", 'shared/products/registry.ts', 'products', 'config'],
    ["export { sync } from '../reconcile/sync.js';", 'shared/plan/order.ts', 'plan', 'reconcile'],
    ["const m = await import('../runtime/runtime.js');", 'shared/adapters/kube-config.ts', 'adapters', 'runtime'],
    [
      "import { handleResync } from '../../runtime/handle-resync.js';",
      'shared/adapters/kube/paths.ts',
      'adapters',
      'runtime',
    ],
    ["import { REPO_ROOT } from '../dev/harness/process.js';", 'shared/errors.ts', 'shared/', 'dev/'],
  ])('%s in %s: %s may not import %s', async (code, file, from, to) => {
    const messages = await layerMessages(code, file);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(from);
    expect(messages[0]).toContain(to);
  });

  test.each([
    ["import type { MemorystoreInstance } from '../model/instance.js';", 'shared/plan/order.ts'],
    ["import { PRODUCTS } from '../products/registry.js';", 'shared/config/parse-config.ts'],
    ["const { sync } = await import('../reconcile/sync.js');", 'shared/runtime/runtime.ts'],
    ["import { PermanentError } from '../errors.js';", 'shared/model/instance.ts'],
    ["import { runtime } from '../shared/runtime/runtime.js';", 'functions/index.ts'],
    ["import { checked } from '../checked-instance.js';", 'shared/products/redis/mapper.ts'],
    ["import { z } from 'zod';", 'shared/model/instance.ts'],
  ])('%s in %s is allowed', async (code, file) => {
    expect(await layerMessages(code, file)).toEqual([]);
  });

  test('a folder of shared/ that is in no layer is reported, so a new one is placed on purpose', async () => {
    const messages = await layerMessages("import { x } from '../newfolder/x.js';", 'shared/model/instance.ts');
    expect(messages).toEqual([expect.stringContaining('newfolder')]);
  });
});
