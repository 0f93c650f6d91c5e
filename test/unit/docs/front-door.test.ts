import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The README is the front door: short, and pointing at every page the rest of the documentation lives on. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const docsPages = (): string[] => (existsSync(DOCS) ? readdirSync(DOCS).filter((f) => f.endsWith('.md')) : []);

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces made dashes. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchorsIn = (text: string): Set<string> =>
  new Set([...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

test('the README stays about 200 lines', () => {
  expect(readFileSync(README, 'utf8').split('\n').length).toBeLessThanOrEqual(220);
});

test('the README links every page under docs/ and the Terraform README', () => {
  const readme = readFileSync(README, 'utf8');
  expect(docsPages().length).toBeGreaterThanOrEqual(6);
  for (const page of [...docsPages().map((p) => `docs/${p}`), 'terraform/README.md'])
    expect(readme).toContain(`](${page})`);
});

test('every relative link of the README and the docs reaches a file, and a heading there when it names one', () => {
  const broken: string[] = [];
  for (const file of [README, ...docsPages().map((p) => join(DOCS, p))]) {
    const text = readFileSync(file, 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split('#');
      const linked = path ? resolve(dirname(file), path) : file;
      if (!existsSync(linked)) broken.push(`${file}: ${target}`);
      else if (anchor && !anchorsIn(readFileSync(linked, 'utf8')).has(anchor)) broken.push(`${file}: ${target}`);
    }
  }
  expect(broken).toEqual([]);
});
