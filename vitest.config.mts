import { defineConfig } from 'vitest/config';

// One run over every package's own Vitest project (each has its vitest.config).
export default defineConfig({
  test: {
    projects: ['packages/crm-auth', 'apps/emulator', 'apps/api', 'apps/web'],
    // Two cores: two test files at a time across all projects.
    maxWorkers: 2,
    pool: 'forks',
  },
});
