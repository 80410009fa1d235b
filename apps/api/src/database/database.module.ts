import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';
import { ENTITIES } from './entities';
import { openServingDataSource } from './migrate';

/**
 * TypeORM for the whole API (`@nestjs/typeorm`): one DataSource, injectable as `DataSource` and through
 * `TypeOrmModule.forFeature` repositories. Its factory connects and migrates under the advisory lock before
 * any provider that needs the database is built, so the API never serves an unmigrated schema.
 *
 * Shutdown order: TypeOrmModule's core module is global, and Nest calls global modules' `onApplicationShutdown`
 * after every other module's, so services that write on shutdown (hit counters, ticket sessions) still have the pool.
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          // No retry loop inside the process: a start that cannot reach Postgres fails at once with its reason,
          // and the supervisor (docker, systemd, scripts/start.mjs) decides what to do.
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.databaseUrl, ENTITIES),
            toRetry: () => false,
            ownerUrl: config.databaseOwnerUrl,
          }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            if (!options) throw new Error('TypeORM options missing');
            const {
              toRetry: _ignored,
              ownerUrl,
              ...typeorm
            } = options as DataSourceOptions & { toRetry?: unknown; ownerUrl?: string | null };
            return openServingDataSource(typeorm as DataSourceOptions, ownerUrl ?? null);
          },
        }),
      ],
    };
  }
}
