import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ignore from 'ignore';
import { loadModule, TERRAFORM_DIR } from '../../dev/terraform/load-terraform.js';

/**
 * Exactly which files a deployment uploads. `gcloud functions deploy` applies .gcloudignore with gitignore rules (the
 * `ignore` package applies the same); Terraform's archive takes the `!/` entries of the same file (checked against
 * OpenTofu's own evaluation in .ci/terraform-checks.sh).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const gcloudignore = readFileSync(`${root}.gcloudignore`, 'utf8');

/** Tracked files and untracked ones git does not ignore: what a fresh checkout with local work would hold. */
function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

const uploaded = (): string[] => {
  const rules = ignore().add(gcloudignore);
  return repositoryFiles().filter((file) => !rules.ignores(file));
};

test('a deployment uploads the package files, the TypeScript config and the code, nothing else', () => {
  const files = uploaded();
  const topLevel = [...new Set(files.map((f) => (f.includes('/') ? `${f.split('/')[0]}/` : f)))].sort();
  expect(topLevel).toEqual([
    'bin/',
    'functions/',
    'package-lock.json',
    'package.json',
    'shared/',
    'tsconfig.build.json',
    'tsconfig.json',
  ]);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'functions/index.ts',
      // gcp-build bundles the functions with it: package.json's main is its output.
      'functions/bundle.mjs',
    ]),
  );
  expect(
    files.filter((f) => /^(test|dev|terraform|\.ci|\.cache|scripts|node_modules|build|docs|\.git)\//.test(f)),
  ).toEqual([]);
});

test('anything new at the top of the repository stays out until it is listed', () => {
  const rules = ignore().add(gcloudignore);
  expect(
    [
      'docs/guide.md',
      'README.md',
      'eslint.config.js',
      'jest.config.js',
      '.env',
      'new-tool/run.ts',
      '.gcloudignore',
    ].filter((f) => !rules.ignores(f)),
  ).toEqual([]);
});

test("Terraform's archive is built from the entries .gcloudignore takes back in", async () => {
  const tf = await loadModule(TERRAFORM_DIR);
  expect(String(tf.locals['upload_entries'])).toContain('file("${local.source_dir}/.gcloudignore")');
  expect(String(tf.locals['upload_entries'])).toContain('startswith(trimspace(line), "!/")');
  const entries = gcloudignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!/'));
  // The archive reads only `/*` and `!/` lines: any other rule would make the two disagree.
  const otherRules = gcloudignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && l !== '/*' && !l.startsWith('!/'));
  expect(otherRules).toEqual([]);
  expect(entries.length).toBeGreaterThan(0);
});
