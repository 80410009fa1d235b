import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites that measure latency or load the machine for a minute. `npm test` runs them after
 * everything else, one file at a time, so that other test files do not skew their figures:
 * ONBEHALF_TESTS=parallel leaves them out, ONBEHALF_TESTS=serial runs only them, unset runs all.
 */
const SERIAL = [
  'test/faults.int-spec.ts',
  'test/soak.int-spec.ts',
  'test/crash-safety.int-spec.ts',
  'test/audit-perf.int-spec.ts',
  // Wall-clock refreshes over a 36-s compressed day: other files' load must not push one past its ticket's expiry.
  'test/ticket-refresh-at-scale.int-spec.ts',
];
const mode = process.env.ONBEHALF_TESTS;

// SWC, not esbuild: Nest's DI and TypeORM need emitted decorator metadata.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
    }),
  ],
  test: {
    name: 'api',
    include:
      mode === 'serial'
        ? SERIAL
        : ['src/**/*.spec.ts', 'test/**/*.spec.ts', 'src/**/*.int-spec.ts', 'test/**/*.int-spec.ts'],
    exclude: [...configDefaults.exclude, ...(mode === 'parallel' ? SERIAL : [])],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
