import { DataSource, type DataSourceOptions } from 'typeorm';
import { checkRuntimeRole, provisionRuntimeRole, roleOfUrl, RuntimeRoleError } from './runtime-role';

const LOCK = `hashtext('onbehalf:migrations')`;

/**
 * Applies pending migrations, then `after` (the runtime role's grants), holding a Postgres advisory lock so
 * concurrent instances migrate and grant once, one after the other.
 */
export async function migrate(ds: DataSource, after?: (ds: DataSource) => Promise<void>): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(`SELECT pg_advisory_lock(${LOCK})`);
    const done = await ds.runMigrations({ transaction: 'each' });
    if (after) await after(ds);
    return done.map((m) => m.name);
  } finally {
    await qr.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    await qr.release();
  }
}

async function connect(options: DataSourceOptions, variable: string): Promise<DataSource> {
  const ds = new DataSource(options);
  try {
    await ds.initialize();
  } catch (err) {
    throw new Error(
      `cannot connect to the database (${variable}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return ds;
}

/** Postgres's insufficient_privilege, as a migration run by a role that owns nothing meets it. */
function isPermissionDenied(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '42501';
}

/**
 * Connects and migrates (under the lock) a new data source. Nest builds no provider that injects the
 * DataSource before this resolves, so no request ever meets an unmigrated schema. On failure the pool is closed.
 */
export async function openMigratedDataSource(options: DataSourceOptions): Promise<DataSource> {
  const ds = await connect(options, 'DATABASE_URL');
  try {
    await migrate(ds);
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    if (isPermissionDenied(err)) {
      const role = roleOfUrl(urlOf(options)) ?? 'the role of DATABASE_URL';
      throw new Error(
        `the database has migrations to apply and "${role}" (DATABASE_URL) may not change the schema: ` +
          `set DATABASE_OWNER_URL to the schema owner's URL (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
    throw err;
  }
  return ds;
}

function urlOf(options: DataSourceOptions): string {
  return (options as { url?: string }).url ?? '';
}

/**
 * The API's data source. With one URL, it migrates as that role. With `ownerUrl` (DATABASE_OWNER_URL), a short
 * owner connection migrates and grants the runtime role of `options.url` its rows (database/runtime-role.ts)
 * under the migration lock, and closes; the API then serves as the runtime role only.
 */
export async function openServingDataSource(
  options: DataSourceOptions,
  ownerUrl: string | null,
): Promise<DataSource> {
  if (!ownerUrl) return openMigratedDataSource(options);
  const role = roleOfUrl(urlOf(options));
  if (!role) throw new RuntimeRoleError('DATABASE_URL names no role (postgres://role:password@host/db)');
  const owner = await connect(
    {
      ...options,
      url: ownerUrl,
      extra: { max: 2, application_name: 'onbehalf-migrate' },
    } as DataSourceOptions,
    'DATABASE_OWNER_URL',
  );
  let database: string;
  try {
    await checkRuntimeRole(owner, role);
    await migrate(owner, (ds) => provisionRuntimeRole(ds, role));
    [{ database }] = (await owner.query(`SELECT current_database() AS database`)) as [{ database: string }];
  } finally {
    await owner.destroy().catch(() => undefined);
  }
  const ds = await connect(options, 'DATABASE_URL');
  // Both URLs must name one database, and the runtime URL the role that was granted (not ?user= or PGUSER's).
  const [me] = (await ds.query(`SELECT current_user AS role, current_database() AS database`)) as {
    role: string;
    database: string;
  }[];
  if (me?.role !== role || me.database !== database) {
    await ds.destroy().catch(() => undefined);
    throw new RuntimeRoleError(
      `DATABASE_URL logs in as "${me?.role}" on database "${me?.database}", but DATABASE_OWNER_URL migrated ` +
        `"${database}" and granted "${role}": both URLs must name the same database`,
    );
  }
  return ds;
}
