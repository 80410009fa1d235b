import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repository's own tooling, run by `npm test` before the product's tests: packages/devdb
// (the embedded Postgres) and scripts/ (npm start, npm test, npm run setup).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    projects: [
      'packages/devdb',
      { test: { name: 'scripts', root: 'scripts', include: ['test/**/*.spec.mjs'] } },
    ],
    maxWorkers: 2,
    pool: 'forks',
  },
});
