import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'src/**/*.int-spec.ts', 'test/**/*.spec.ts', 'test/**/*.int-spec.ts'],
    // Many specs make RSA keys and certificates with node-forge, which takes seconds on a loaded 2-core machine.
    // A timeout is a hang guard, not a speed check (speed is measured by `npm run bench`).
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
