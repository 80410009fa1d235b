import type { DataSource } from 'typeorm';

/**
 * Runs `fn` holding the Postgres advisory lock named `name` (a session lock, on a connection of its
 * own): across instances, one holder at a time. The lock is released even when `fn` throws.
 */
export async function withAdvisoryLock<T>(db: DataSource, name: string, fn: () => Promise<T>): Promise<T> {
  const qr = db.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(`SELECT pg_advisory_lock(hashtext($1))`, [name]);
    return await fn();
  } finally {
    await qr.query(`SELECT pg_advisory_unlock(hashtext($1))`, [name]).catch(() => undefined);
    await qr.release();
  }
}
