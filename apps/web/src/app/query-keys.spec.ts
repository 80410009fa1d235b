import { describe, expect, it } from 'vitest';
import { adminUsersKeys } from '@/features/admin-users/keys';
import { apiKeysKeys } from '@/features/api-keys/keys';
import { auditKeys } from '@/features/audit/keys';
import { EMPTY_AUDIT_FILTERS } from '@/features/audit/utils/audit-filters-model';
import { authKeys } from '@/features/auth/keys';
import { certificatesKeys } from '@/features/certificates/keys';
import { endUserKeys } from '@/features/end-user/keys';
import { orgsKeys } from '@/features/orgs/keys';
import { overviewKeys } from '@/features/overview/keys';
import { ticketsKeys } from '@/features/tickets/keys';
import { userMappingsKeys } from '@/features/user-mappings/keys';

const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) =>
  prefix.every((part, i) => key[i] === part);

describe('query key factories', () => {
  const factories = [orgsKeys, certificatesKeys, adminUsersKeys, ticketsKeys, apiKeysKeys];

  it('nest all → lists → list(filters) and all → details → detail(id), so invalidating a prefix reaches every child', () => {
    for (const keys of factories) {
      expect(startsWith(keys.lists(), keys.all)).toBe(true);
      expect(startsWith(keys.list(), keys.lists())).toBe(true);
      expect(startsWith(keys.details(), keys.all)).toBe(true);
      expect(startsWith(keys.detail('x'), keys.details())).toBe(true);
      expect(keys.detail('x')).not.toEqual(keys.detail('y'));
    }
  });

  it('nests the per-feature extras under their parent keys', () => {
    expect(startsWith(orgsKeys.latestRun('o1'), orgsKeys.detail('o1'))).toBe(true);
    expect(startsWith(auditKeys.list(EMPTY_AUDIT_FILTERS), auditKeys.lists())).toBe(true);
    expect(startsWith(auditKeys.orgCalls('o1', 20), auditKeys.lists())).toBe(true);
    expect(startsWith(userMappingsKeys.list('o1'), userMappingsKeys.lists())).toBe(true);
    expect(startsWith(endUserKeys.me(), endUserKeys.all)).toBe(true);
    expect(startsWith(authKeys.me(), authKeys.all)).toBe(true);
    expect(startsWith(overviewKeys.detail(), overviewKeys.all)).toBe(true);
  });

  it('gives every feature its own root', () => {
    const roots = [
      orgsKeys,
      certificatesKeys,
      adminUsersKeys,
      ticketsKeys,
      auditKeys,
      userMappingsKeys,
      endUserKeys,
      authKeys,
      overviewKeys,
      apiKeysKeys,
    ].map((k) => k.all[0]);
    expect(new Set(roots).size).toBe(roots.length);
  });

  it('puts filters in the key, so each filter set is cached on its own', () => {
    expect(auditKeys.list({ ...EMPTY_AUDIT_FILTERS, orgId: 'a' })).not.toEqual(
      auditKeys.list(EMPTY_AUDIT_FILTERS),
    );
  });
});
