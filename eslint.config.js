// Lint limits that keep functions small and promises handled (see the house style).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './lint/import-direction.js';

export default tseslint.config(
  { ignores: ['build/', 'node_modules/', '.cache/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      complexity: ['error', 10],
      // Prettier wraps code at 120 but leaves comments and string literals as they are: comments are held to 120 here;
      // a long message or description stays one string, so it can be searched for.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The direction of imports between the folders of shared/ (lint/import-direction.js holds the order).
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/import-direction': 'error' },
  },
  {
    // Tests, the dev harness and scripts: assertions on loosely typed JSON are fine; the limits on size still apply.
    files: ['test/**/*.ts', 'dev/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      // test.each rows arrive as parameters; fixtures default many fields (each `??` counts as a branch)
      'max-params': 'off',
      complexity: 'off',
    },
  },
  {
    files: ['*.js', 'lint/**/*.js', 'dev/components/**/*.mjs', 'functions/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The local lint rule is plain JavaScript, loaded by ESLint itself: it has no types to declare.
  { files: ['lint/**/*.js'], rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' } },
);
