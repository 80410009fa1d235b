import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repository's own tooling, run by `npm test` before the product's tests: packages/devdb
// (the embedded Postgres) and scripts/ (npm start, npm test, npm run setup).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    projects: [
      'packages/devdb',
      // Some of these read the whole install or spawn Node: seconds on a busy CI machine, never a timing.
      {
        test: { name: 'scripts', root: 'scripts', include: ['test/**/*.spec.mjs'], testTimeout: 30_000 },
      },
    ],
    maxWorkers: 2,
    pool: 'forks',
  },
});
