import { defineConfig } from 'vitest/config';

// One run over every package's own Vitest project (each has its vitest.config.ts).
export default defineConfig({
  test: {
    projects: ['packages/crm-auth', 'apps/emulator', 'apps/api', 'apps/web'],
  },
});
