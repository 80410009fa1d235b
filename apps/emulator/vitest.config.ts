// A plain object: this package is CommonJS and `vitest/config` is ESM-only (TS1479 on defineConfig).
export default {
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.int-spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
};
