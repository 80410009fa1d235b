import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { InitialAuth1732500000000 } from './migrations/1732500000000-initial-auth';
import { TenantSchema1732500100000 } from './migrations/1732500100000-tenant-schema';
import { ScheduledJobs1732500200000 } from './migrations/1732500200000-scheduled-jobs';
import { OneRunningOnboarding1732500900000 } from './migrations/1732500900000-one-running-onboarding';
import { PassportIssuedAt1732501000000 } from './migrations/1732501000000-passport-issued-at';
import { DropScheduledJobs1732501200000 } from './migrations/1732501200000-drop-scheduled-jobs';
import { AuditIndexes1732500800000 } from './migrations/1732500800000-audit-indexes';
import { LoginRateLimits1732501100000 } from './migrations/1732501100000-login-rate-limits';
import { AdminAuditFilters1732501300000 } from './migrations/1732501300000-admin-audit-filters';
import { ApiKeyScopes1732501400000 } from './migrations/1732501400000-api-key-scopes';
import { IdempotencyKeys1732501600000 } from './migrations/1732501600000-idempotency-keys';
import { LedgerChain1732501500000 } from './migrations/1732501500000-ledger-chain';
import { ApiKeyMetricsScope1732501700000 } from './migrations/1732501700000-api-key-metrics-scope';
import { LedgerLinkedRecord1732501800000 } from './migrations/1732501800000-ledger-linked-record';
import { LedgerNoTruncate1732501900000 } from './migrations/1732501900000-ledger-no-truncate';
import { TenantRowSecurity1732502000000 } from './migrations/1732502000000-tenant-row-security';
import { AuditSearchAtScale1732502100000 } from './migrations/1732502100000-audit-search-at-scale';
import { DataverseOrgs1732502200000 } from './migrations/1732502200000-dataverse-orgs';
import { ReconciliationNotStamped1732502300000 } from './migrations/1732502300000-reconciliation-not-stamped';

/** Every migration, in order. Migrations are never edited once landed; each has a `down`. */
export const MIGRATIONS = [
  InitialAuth1732500000000,
  TenantSchema1732500100000,
  ScheduledJobs1732500200000,
  AuditIndexes1732500800000,
  OneRunningOnboarding1732500900000,
  PassportIssuedAt1732501000000,
  LoginRateLimits1732501100000,
  DropScheduledJobs1732501200000,
  AdminAuditFilters1732501300000,
  ApiKeyScopes1732501400000,
  LedgerChain1732501500000,
  IdempotencyKeys1732501600000,
  ApiKeyMetricsScope1732501700000,
  LedgerLinkedRecord1732501800000,
  LedgerNoTruncate1732501900000,
  TenantRowSecurity1732502000000,
  AuditSearchAtScale1732502100000,
  DataverseOrgs1732502200000,
  ReconciliationNotStamped1732502300000,
];

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;

/** The API's TypeORM options on Postgres. `synchronize` stays off: the schema comes from migrations only. */
export function dataSourceOptions(
  url: string,
  entities: EntityList,
  opts: { poolSize?: number } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: opts.poolSize ?? 20, application_name: 'onbehalf-api' },
  };
}

/** A TypeORM data source on Postgres, not yet connected (tests' template database, tools). */
export function createDataSource(
  url: string,
  entities: EntityList,
  opts: { poolSize?: number } = {},
): DataSource {
  return new DataSource(dataSourceOptions(url, entities, opts));
}
