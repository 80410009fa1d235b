// A plain object: this package is CommonJS and `vitest/config` is ESM-only (TS1479 on defineConfig).
export default {
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.int-spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Two cores are shared with other work: at most two test files at once.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
};
