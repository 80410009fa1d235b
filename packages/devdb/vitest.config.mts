import { defineConfig } from 'vitest/config';

// Run by `npm test` through scripts/vitest.config.mts (the repository's tooling tests).
export default defineConfig({
  test: {
    name: 'devdb',
    include: ['test/**/*.spec.ts', 'test/**/*.int-spec.ts'],
    testTimeout: 90_000,
  },
});
