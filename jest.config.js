// Jest runs the TypeScript sources directly through ts-jest in ESM mode (the Kubernetes client is ESM only).
// Two projects: fast tests of the code alone, and tests against real components started once by a global set-up.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/no-metadata-server.ts'],
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 30000,
  // Every test file loads its modules afresh in ESM mode and the process keeps part of each, so one process running
  // every file grows until V8's heap limit kills it (it reached 4 GiB near the end of a full run on 2 cores, where
  // Jest's default of one worker runs the files in its own process). A worker is restarted once it holds more than
  // this after a file; setting it also makes Jest use a worker rather than its own process.
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{unit,functions,terraform}/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{integration,harness-tests}/**/*.test.ts'],
      // Jest loads global set-up with Node's own ESM loader, which cannot resolve the sources' `.js` imports to `.ts`,
      // so it runs the compiled copy that `pretest` builds.
      globalSetup: '<rootDir>/build/test/integration/global-setup.js',
      globalTeardown: '<rootDir>/build/test/integration/global-teardown.js',
    },
  ],
};
