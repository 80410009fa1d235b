// The walls of eslint.config.mjs, proved on the real configuration: a forbidden import placed in each
// package is an error, an allowed one is not. The files need not exist: ESLint lints the given text
// as if it lived at that path.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../lib/pnpm.mjs';

let eslint;
beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  // loading the configuration and the parsers takes seconds on a loaded machine: once, here
  await eslint.lintText('export {};\n', { filePath: join(root, 'packages/crm-auth/src/wall-probe.ts') });
}, 60_000);

/** The wall errors ESLint reports for `code` placed at `file` (a repository path). */
async function wallErrors(file, code) {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: join(root, file) });
  if (result.messages.some((m) => m.fatal))
    throw new Error(`${file} did not parse: ${result.messages[0].message}`);
  return result.messages.filter((m) => m.ruleId === 'onbehalf/import-walls');
}

const CRM_AUTH_SRC = 'packages/crm-auth/src/wall-probe.ts';
const EMULATOR_SRC = 'apps/emulator/src/wall-probe.ts';
const WEB_SRC = 'apps/web/src/wall-probe.ts';
const AUDIT_COMPONENT = 'apps/web/src/features/audit/components/wall-probe.tsx';

describe('crm-auth imports no framework, no database and nothing of the apps', () => {
  it.each([
    [CRM_AUTH_SRC, "import { Injectable } from '@nestjs/common';"],
    [CRM_AUTH_SRC, "import { DataSource } from 'typeorm';"],
    [CRM_AUTH_SRC, "import pg from 'pg';"],
    [CRM_AUTH_SRC, "import express from 'express';"],
    [CRM_AUTH_SRC, "import { useState } from 'react';"],
    [CRM_AUTH_SRC, "export const load = () => import('pg');"],
    [CRM_AUTH_SRC, "const orm = require('typeorm');\nexport { orm };"],
    [CRM_AUTH_SRC, "export type Org = import('typeorm').EntitySchema;"],
    [CRM_AUTH_SRC, "export * from '../../../apps/api/src/orgs/org.entity';"],
    [CRM_AUTH_SRC, "import { startEmulator } from '../../../apps/emulator/src/index';"],
    [CRM_AUTH_SRC, "import { startEmulator } from '@onbehalf/emulator';"],
    [CRM_AUTH_SRC, "import { AppModule } from '@onbehalf/api/dist/app.module.js';"],
    ['packages/crm-auth/test/wall-probe.spec.ts', "import { Test } from '@nestjs/testing';"],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/crosses a wall: crm-auth/);
  });

  it.each([
    [CRM_AUTH_SRC, "import { createHash } from 'node:crypto';\nimport { XMLParser } from 'fast-xml-parser';"],
    [CRM_AUTH_SRC, "import { CrmAuthError } from './errors';"],
    // its integration tests drive the emulator, a devDependency standing in for Microsoft
    ['packages/crm-auth/test/wall-probe.int-spec.ts', "import { DEMO_IDS } from '@onbehalf/emulator';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await wallErrors(file, code)).toEqual([]);
  });
});

describe('the emulator does not import crm-auth', () => {
  it.each([
    [EMULATOR_SRC, "import { CrmSession } from '@onbehalf/crm-auth';"],
    [EMULATOR_SRC, "import { parse } from '@onbehalf/crm-auth/dist/xml/parse.js';"],
    [EMULATOR_SRC, "import { CrmSession } from '../../../packages/crm-auth/src/index';"],
    [
      'apps/emulator/test/wall-probe.spec.ts',
      "const auth = await import('@onbehalf/crm-auth');\nexport { auth };",
    ],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/crosses a wall: the emulator/);
  });

  it('imports its own modules and its dependencies', async () => {
    const code = "import { XMLParser } from 'fast-xml-parser';\nimport { readXml } from './xml/reader';";
    expect(await wallErrors(EMULATOR_SRC, code)).toEqual([]);
  });
});

describe('the console imports no API, crm-auth or emulator code', () => {
  it.each([
    [WEB_SRC, "import type { OrgDto } from '@onbehalf/api';"],
    [WEB_SRC, "import { OrgDto } from '../../api/src/orgs/dto/org.dto';"],
    [AUDIT_COMPONENT, "import { OrgDto } from '../../../../../api/src/orgs/dto/org.dto';"],
    [WEB_SRC, "import { CrmAuthError } from '@onbehalf/crm-auth';"],
    [WEB_SRC, "import { DEMO_IDS } from '@onbehalf/emulator';"],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/crosses a wall: the console reaches the API only over HTTP/);
  });

  it('imports its own code and its dependencies', async () => {
    const code = "import { useQuery } from '@tanstack/react-query';\nimport { api } from '@/lib/api-client';";
    expect(await wallErrors(WEB_SRC, code)).toEqual([]);
  });
});

describe('one web feature does not import another', () => {
  it.each([
    [AUDIT_COMPONENT, "import { useOrgs } from '@/features/orgs/api/get-orgs';"],
    [AUDIT_COMPONENT, "import { useOrgs } from '../../orgs/api/get-orgs';"],
    ['apps/web/src/features/audit/keys.ts', "export { orgsKeys } from '../orgs/keys';"],
    [AUDIT_COMPONENT, "import { router } from '@/app/router';"],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/crosses a wall: a feature imports no other feature/);
  });

  it.each([
    ['apps/web/src/lib/wall-probe.ts', "import { useMe } from '@/features/auth/api/get-me';"],
    ['apps/web/src/components/wall-probe.tsx', "import { router } from '../app/router';"],
  ])('shared code %s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/crosses a wall: shared code imports no feature/);
  });

  it.each([
    // its own api/ folder is not apps/api, and its own files may be named through the alias
    [
      AUDIT_COMPONENT,
      "import { useAudit } from '../api/get-audit';\nimport { auditKeys } from '@/features/audit/keys';",
    ],
    [
      AUDIT_COMPONENT,
      "import { QueryState } from '@/components/query-state';\nimport { formatDate } from '../../../utils/format';",
    ],
    // app/ is where features are composed
    [
      'apps/web/src/app/routes/wall-probe.tsx',
      "import { useOrgs } from '@/features/orgs/api/get-orgs';\nimport { AuditExplorer } from '@/features/audit/components/audit-explorer';",
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await wallErrors(file, code)).toEqual([]);
  });
});

// The API's context wall (issue 12): a context that imports another context's entity is an error, its own
// entity is not, and the allow-list lets through only the crossing it names.
const ADMIN_USERS = 'apps/api/src/admin-users/wall-probe.ts';
const AUDIT = 'apps/api/src/audit/wall-probe.ts';

describe("an API context does not import another context's entity", () => {
  it.each([
    [ADMIN_USERS, "import { AdminUserEntity } from '../auth/admin-user.entity';"],
    ['apps/api/src/api-keys/wall-probe.ts', "import type { ApiKeyEntity } from '../auth/api-key.entity';"],
    [
      'apps/api/src/admin-users/dto/wall-probe.ts',
      "export { SessionEntity } from '../../auth/session.entity';",
    ],
    [ADMIN_USERS, "import { AdminUserEntity } from '../auth/admin-user.entity.js';"],
    [ADMIN_USERS, "export type Row = import('../auth/admin-user.entity').AdminUserEntity;"],
    // a top-level file of the API is no context of its own
    ['apps/api/src/server.ts', "import { OrgEntity } from './orgs/org.entity';"],
    // the audit and the overview read the ledger's and the orgs' vocabulary, never their entities
    [AUDIT, "import { OrgEntity } from '../orgs/org.entity';"],
    ['apps/api/src/overview/wall-probe.ts', "import { OrgEntity } from '../orgs/org.entity';"],
    [AUDIT, "import type { CallOutcome } from '../crm/crm-call.entity';"],
    ['apps/api/src/audit/dto/wall-probe.ts', "import type { CallOutcome } from '../../crm/crm-call.entity';"],
    [AUDIT, "import { AdminAuditLogEntity } from '../admin-audit/admin-audit-log.entity';"],
    [
      'apps/api/src/overview/dto/overview.response.ts',
      "import type { OrgStatus } from '../../orgs/org.entity';",
    ],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await wallErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /crosses a wall: an API context never imports another context's entity: use the service or repository/,
    );
  });

  it.each([
    // its own entity, and another context's exported repository or service
    ['apps/api/src/auth/wall-probe.ts', "import { AdminUserEntity } from './admin-user.entity';"],
    ['apps/api/src/orgs/dto/wall-probe.ts', "import type { OrgStatus } from '../org.entity';"],
    [ADMIN_USERS, "import { AdminAccountsRepository } from '../auth/admin-accounts.repository';"],
    // the one crossing that stands: the list of every entity for the DataSource
    ['apps/api/src/database/entities.ts', "import { OrgEntity } from '../orgs/org.entity';"],
    // another context's vocabulary (types only) and exported services
    [AUDIT, "import type { CallOutcome } from '../crm/ledger.types';"],
    ['apps/api/src/overview/dto/wall-probe.ts', "import type { OrgStatus } from '../../orgs/org.types';"],
    [AUDIT, "import { AdminAuditService } from '../admin-audit/admin-audit.service';"],
    // tests outside src/ set up rows as they need
    ['apps/api/test/wall-probe.int-spec.ts', "import { ApiKeyEntity } from '../src/auth/api-key.entity';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await wallErrors(file, code)).toEqual([]);
  });
});
