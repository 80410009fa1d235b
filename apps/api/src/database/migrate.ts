import { DataSource, type DataSourceOptions } from 'typeorm';

const LOCK = `hashtext('onbehalf:migrations')`;

/** Applies pending migrations, holding a Postgres advisory lock so concurrent instances migrate once. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(`SELECT pg_advisory_lock(${LOCK})`);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await qr.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    await qr.release();
  }
}

/**
 * Connects and migrates (under the lock) a new data source. Nest builds no provider that injects the
 * DataSource before this resolves, so no request ever meets an unmigrated schema. On failure the pool is closed.
 */
export async function openMigratedDataSource(options: DataSourceOptions): Promise<DataSource> {
  const ds = new DataSource(options);
  try {
    await ds.initialize();
  } catch (err) {
    throw new Error(
      `cannot connect to the database (DATABASE_URL): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  try {
    await migrate(ds);
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    throw err;
  }
  return ds;
}
