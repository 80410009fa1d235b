// The API's context wall of eslint.config.mjs (issue 12), proved on the real configuration like the others in
// lint-walls.spec.mjs: a context that imports another context's entity is an error, its own entity is not,
// and the allow-list lets through only the crossings it names.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../lib/pnpm.mjs';

let eslint;
beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  // loading the configuration and the parsers takes seconds on a loaded machine: once, here
  await eslint.lintText('export {};\n', { filePath: join(root, 'apps/api/src/orgs/wall-probe.ts') });
}, 60_000);

/** The wall errors ESLint reports for `code` placed at `file` (a repository path). */
async function wallErrors(file, code) {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: join(root, file) });
  if (result.messages.some((m) => m.fatal))
    throw new Error(`${file} did not parse: ${result.messages[0].message}`);
  return result.messages.filter((m) => m.ruleId === 'onbehalf/import-walls');
}

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
