import type { EntityManager } from 'typeorm';
import { ORG_SCOPE_SETTING } from './migrations/1732502000000-tenant-row-security';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Scopes the current transaction to one org: until it ends, row-level security (TenantRowSecurity1732502000000)
 * shows the runtime role only that org's rows of the tenant tables and refuses writes to another's. `set_config`
 * with is_local = true is SET LOCAL: the pooled connection is back to unscoped after COMMIT or ROLLBACK, so no
 * later request inherits it. Outside a transaction it would last one statement only, so callers open one first.
 */
export async function scopeToOrg(tx: Queryable, orgId: string): Promise<void> {
  await tx.query(`SELECT set_config('${ORG_SCOPE_SETTING}', $1, true)`, [orgId]);
}

/** Runs `fn` in a transaction scoped to one org (see scopeToOrg). */
export function inOrgScope<T>(
  manager: EntityManager,
  orgId: string,
  fn: (m: EntityManager) => Promise<T>,
): Promise<T> {
  return manager.transaction(async (m) => {
    await scopeToOrg(m, orgId);
    return fn(m);
  });
}
