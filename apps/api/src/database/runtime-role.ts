import PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';

/**
 * Least privilege: the schema belongs to the owner role (DATABASE_OWNER_URL), which applies migrations; the API
 * serves as the runtime role (DATABASE_URL), which may read and write rows but owns nothing in `public`. So the
 * runtime role cannot drop or alter a table, cannot disable a trigger (only an owner can), and has no DELETE on the
 * ledger tables; the sealed-row triggers of LedgerChain1732501500000 refuse it UPDATE of a sealed row. Row-level
 * security (TenantRowSecurity1732502000000) applies to it and not to the owner.
 *
 * pg-boss creates a table per queue (its `create_queue` function attaches a partition), which needs ownership of
 * its own schema: the runtime role owns `pgboss` and nothing else. The owner installs that schema (pg-boss's own
 * construction plan), because pg-boss's `CREATE SCHEMA IF NOT EXISTS` needs CREATE on the database, which the
 * runtime role does not get: with it, a schema named after the role would shadow `public` on its search path.
 */

/**
 * Tables the runtime role may insert into and update, never delete from: the ledger (the sealer and the reconciler
 * update it) and `orgs`, whose deletion would cascade to an org's whole ledger chain (orgs are removed by an
 * operator as the owner, never by the API).
 */
export const NO_DELETE_TABLES = ['crm_calls', 'crm_call_chain_heads', 'orgs'] as const;

/** Tables the runtime role reads and appends to, never changes: the admin audit log. */
export const APPEND_ONLY_TABLES = ['admin_audit_log'] as const;

/** Tables the runtime role reads and never writes: the migrations TypeORM applied. */
export const READ_ONLY_TABLES = ['migrations'] as const;

export const PGBOSS_SCHEMA = 'pgboss';

/** A Postgres identifier, quoted (a role name comes from a URL, so it is never spliced in bare). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The role a postgres:// URL logs in as (percent-decoded), or null when the URL names none. */
export function roleOfUrl(url: string): string | null {
  try {
    const user = decodeURIComponent(new URL(url).username);
    return user || null;
  } catch {
    return null;
  }
}

export class RuntimeRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeRoleError';
  }
}

interface RoleRow {
  rolsuper: boolean;
  rolbypassrls: boolean;
  rolcreaterole: boolean;
  owner_member: boolean;
  writes_all: boolean;
}

/**
 * Refuses, before anything is migrated or granted, a runtime role with which the split would be in name only: the
 * owner itself, a missing role, a superuser, one with BYPASSRLS or CREATEROLE, a member of the owner role (it would
 * have the owner's rights) or of pg_write_all_data (which ignores the REVOKEs below).
 */
export async function checkRuntimeRole(owner: DataSource, role: string): Promise<void> {
  const [me] = (await owner.query(`SELECT current_user AS name`)) as { name: string }[];
  if (me?.name === role) {
    throw new RuntimeRoleError(
      `DATABASE_URL and DATABASE_OWNER_URL both log in as "${role}": the API must serve as a role that owns nothing ` +
        '(docs/operations.md, "Two database roles")',
    );
  }
  const rows = (await owner.query(
    `SELECT rolsuper, rolbypassrls, rolcreaterole,
            pg_has_role(oid, current_user, 'MEMBER') AS owner_member,
            pg_has_role(oid, 'pg_write_all_data', 'MEMBER') AS writes_all
       FROM pg_roles WHERE rolname = $1`,
    [role],
  )) as RoleRow[];
  const found = rows[0];
  if (!found) throw new RuntimeRoleError(`the runtime role "${role}" (DATABASE_URL) does not exist`);
  const why = found.rolsuper
    ? 'is a superuser'
    : found.rolbypassrls
      ? 'is a role with BYPASSRLS'
      : found.rolcreaterole
        ? 'is a role with CREATEROLE'
        : found.owner_member
          ? `is a member of the owner role "${me?.name ?? ''}"`
          : found.writes_all
            ? 'is a member of pg_write_all_data'
            : null;
  if (why) {
    throw new RuntimeRoleError(
      `the runtime role "${role}" (DATABASE_URL) ${why}: it would bypass the grants, the triggers or row-level security`,
    );
  }
}

/**
 * Grants `role` what the API needs and nothing more, idempotently (run by the owner after each migration, so a
 * new table is covered too): every earlier grant on `public`'s tables is revoked first, in the same transaction.
 * The owner calls checkRuntimeRole first.
 */
export async function provisionRuntimeRole(owner: DataSource, role: string): Promise<void> {
  const r = quoteIdent(role);
  // pg-boss's construction plan is its own transaction (BEGIN … COMMIT, under its advisory lock): run it alone.
  const [installed] = (await owner.query(`SELECT to_regclass($1) IS NOT NULL AS yes`, [
    `${PGBOSS_SCHEMA}.version`,
  ])) as { yes: boolean }[];
  if (!installed?.yes) await owner.query(PgBoss.getConstructionPlans(PGBOSS_SCHEMA));
  await owner.transaction(async (m) => {
    const [{ db }] = (await m.query(`SELECT current_database() AS db`)) as [{ db: string }];
    await m.query(`GRANT CONNECT ON DATABASE ${quoteIdent(db)} TO ${r}`);
    await m.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await m.query(`REVOKE CREATE ON SCHEMA public FROM ${r}`);
    await m.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await m.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`);
    await m.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await m.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    for (const t of NO_DELETE_TABLES) await m.query(`REVOKE DELETE ON ${t} FROM ${r}`);
    for (const t of APPEND_ONLY_TABLES) await m.query(`REVOKE UPDATE, DELETE ON ${t} FROM ${r}`);
    for (const t of READ_ONLY_TABLES) await m.query(`REVOKE INSERT, UPDATE, DELETE ON ${t} FROM ${r}`);
    // Tables the owner creates later (a migration) are granted at the next start by this same function.
    await handOverPgBoss(m, role);
  });
}

/**
 * `pgboss` (installed by the owner above) belongs to the runtime role with everything in it
 * (pg-boss migrates it itself on a later version).
 */
async function handOverPgBoss(
  m: { query(sql: string, params?: unknown[]): Promise<unknown> },
  role: string,
): Promise<void> {
  const r = quoteIdent(role);
  const s = quoteIdent(PGBOSS_SCHEMA);
  await m.query(`ALTER SCHEMA ${s} OWNER TO ${r}`);
  const types = (await m.query(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype IN ('e', 'd') AND pg_get_userbyid(t.typowner) <> $2`,
    [PGBOSS_SCHEMA, role],
  )) as { name: string }[];
  for (const t of types) await m.query(`ALTER TYPE ${s}.${quoteIdent(t.name)} OWNER TO ${r}`);
  const owned = (await m.query(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> $2
        -- a sequence owned by a column moves with its table (and ALTER SEQUENCE OWNER refuses it)
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
      ORDER BY c.relkind <> 'p', c.relname`,
    [PGBOSS_SCHEMA, role],
  )) as { name: string; kind: string }[];
  for (const o of owned) {
    const what = o.kind === 'S' ? 'SEQUENCE' : o.kind === 'v' ? 'VIEW' : 'TABLE';
    await m.query(`ALTER ${what} ${s}.${quoteIdent(o.name)} OWNER TO ${r}`);
  }
  const fns = (await m.query(
    `SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND pg_get_userbyid(p.proowner) <> $2`,
    [PGBOSS_SCHEMA, role],
  )) as { sig: string }[];
  for (const f of fns) await m.query(`ALTER FUNCTION ${f.sig} OWNER TO ${r}`);
}
