// A plain object: this package is CommonJS, and `vitest/config` is ESM-only, so importing
// defineConfig here would fail the typecheck (TS1479).
export default {
  test: {
    include: ['src/**/*.spec.ts', 'src/**/*.int-spec.ts', 'test/**/*.spec.ts', 'test/**/*.int-spec.ts'],
  },
};
