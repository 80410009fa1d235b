import { type DynamicModule, Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AdminAuditModule } from './admin-audit/admin-audit.module';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { SecretsModule } from './secrets/secrets.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, ds: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forConfig(config), DatabaseModule.forDataSource(ds), SecretsModule, AdminAuditModule, AuthModule, HealthModule],
    };
  }
}

export { APP_CONFIG };
