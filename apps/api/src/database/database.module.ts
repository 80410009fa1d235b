import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Provides the one DataSource, created and migrated before Nest starts (see server.ts). */
@Global()
@Module({})
export class DatabaseModule {
  static forDataSource(ds: DataSource): DynamicModule {
    return { module: DatabaseModule, providers: [{ provide: DataSource, useValue: ds }], exports: [DataSource] };
  }
}
