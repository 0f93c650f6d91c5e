import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ignore from 'ignore';

/** Exactly which files a deployment uploads: what `gcloud functions deploy` and terraform's archive take. */
const root = fileURLToPath(new URL('../..', import.meta.url));

test('a deployment uploads the package, the TypeScript config and the code, nothing else', () => {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const rules = ignore().add(readFileSync(`${root}.gcloudignore`, 'utf8'));
  const uploaded = tracked.filter((file) => !rules.ignores(file));
  const topLevel = [...new Set(uploaded.map((f) => (f.includes('/') ? `${f.split('/')[0]}/` : f)))].sort();
  expect(topLevel).toEqual(['bin/', 'functions/', 'package-lock.json', 'package.json', 'shared/', 'tsconfig.build.json', 'tsconfig.json']);
  expect(uploaded).toContain('functions/index.ts');
  expect(uploaded.filter((f) => /^(test|terraform|\.ci|\.cache|scripts|node_modules)\//.test(f))).toEqual([]);
});
