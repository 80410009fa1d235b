import { defineConfig, devices } from '@playwright/test';

const apiPort = Number(process.env.E2E_API_PORT ?? 3100);
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 8543);
export const adminPassword = 'e2e-admin-password-1';
export const baseURL = `http://localhost:${apiPort}`;
export const emulatorURL = `https://localhost:${emulatorPort}`;
/** One data directory per API port, so two runs (the lead's `npm test` and a local one) never share it. */
export const dataDir = `.data/e2e-${apiPort}`;

/**
 * Browser tests against the stack exactly as `npm start` runs it, on a throwaway data
 * directory, in Debian's Chromium (Playwright's own browser download cannot work here).
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './artifacts/test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? './artifacts/results.json' }],
  ],
  use: {
    ...devices['Desktop Chrome'],
    baseURL,
    ignoreHTTPSErrors: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1366, height: 900 },
    // Every project (the setup included) runs Debian's Chromium.
    launchOptions: {
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    {
      name: 'chromium',
      dependencies: ['setup'],
      use: { storageState: './artifacts/.auth/admin.json' },
    },
  ],
  webServer: {
    command: 'node ../scripts/start.mjs --no-install --no-build --fresh',
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      ONBEHALF_DATA_DIR: dataDir,
      // The tests upload the certificate and onboard the orgs through the console themselves.
      ONBEHALF_DEMO: 'off',
      // Short CRM tickets, so the org page is seen expiring and refreshing within a minute.
      EMULATOR_CRM_TICKET_LIFETIME_SEC: '40',
      ONBEHALF_TICKET_REFRESH_AHEAD_SEC: '15',
      ONBEHALF_API_PORT: String(apiPort),
      EMULATOR_PORT: String(emulatorPort),
      ONBEHALF_ADMIN_EMAIL: 'admin@localhost',
      ONBEHALF_ADMIN_PASSWORD: adminPassword,
      ONBEHALF_LOGIN_RATE_LIMIT: '50',
    },
  },
});
