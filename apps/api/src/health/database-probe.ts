import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The database's liveness probe: one round trip on a pooled connection. Infrastructure, not data: it reads no
 * table, so it is no context's repository (like tickets/advisory-lock.ts, it works the connection itself).
 * HealthService holds the rules (the timeout, what counts as down) and takes this by injection.
 */
@Injectable()
export class DatabaseProbe {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Resolves when the database answers; rejects with the driver's error when it does not. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
