import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { checkRuntimeRole, quoteIdent, roleOfUrl, RuntimeRoleError } from './runtime-role';

/** An owner connection that answers `current_user` and the pg_roles lookup, and records everything else. */
function owner(me: string, role: Partial<Record<string, boolean>> | null) {
  const asked: string[] = [];
  const ds = {
    query: async (sql: string) => {
      asked.push(sql);
      if (sql.includes('FROM pg_roles'))
        return role
          ? [
              {
                rolsuper: false,
                rolbypassrls: false,
                rolcreaterole: false,
                owner_member: false,
                writes_all: false,
                ...role,
              },
            ]
          : [];
      if (sql.includes('current_user AS name')) return [{ name: me }];
      return [];
    },
    transaction: async () => {
      asked.push('transaction');
    },
  } as unknown as DataSource;
  return { ds, asked };
}

describe('runtime role (database/runtime-role.ts)', () => {
  it('reads the role of a URL, percent-decoded, and null when the URL names none or is not a URL', () => {
    expect(roleOfUrl('postgres://onbehalf_app:pw@db:5432/onbehalf')).toBe('onbehalf_app');
    expect(roleOfUrl('postgres://app%22x:pw@db/onbehalf')).toBe('app"x');
    expect(roleOfUrl('postgres://db/onbehalf')).toBeNull();
    expect(roleOfUrl('not a url')).toBeNull();
  });

  it('quotes an identifier, doubling its double quotes', () => {
    expect(quoteIdent('onbehalf_app')).toBe('"onbehalf_app"');
    expect(quoteIdent('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
  });

  it.each([
    ['the owner itself', 'owner', {}, /both log in as "owner"/],
    ['a missing role', 'app', null, /the runtime role "app" \(DATABASE_URL\) does not exist/],
    ['a superuser', 'app', { rolsuper: true }, /is a superuser/],
    ['a BYPASSRLS role', 'app', { rolbypassrls: true }, /is a role with BYPASSRLS/],
    ['a CREATEROLE role', 'app', { rolcreaterole: true }, /is a role with CREATEROLE/],
    ['a member of the owner role', 'app', { owner_member: true }, /is a member of the owner role "owner"/],
    ['a member of pg_write_all_data', 'app', { writes_all: true }, /is a member of pg_write_all_data/],
  ] as const)(
    'refuses %s as the runtime role, and asks nothing but who it is',
    async (_what, role, row, message) => {
      const o = owner('owner', row);
      const err = await checkRuntimeRole(o.ds, role).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeRoleError);
      expect((err as Error).message).toMatch(message);
      expect(o.asked.every((q) => /^\s*SELECT/.test(q))).toBe(true);
    },
  );

  it('accepts a plain login role', async () => {
    await expect(checkRuntimeRole(owner('owner', {}).ds, 'app')).resolves.toBeUndefined();
  });
});
