import { type DynamicModule, Module } from '@nestjs/common';
import { AdminAuditModule } from './admin-audit/admin-audit.module';
import { AdminUsersModule } from './admin-users/admin-users.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CertificatesModule } from './certificates/certificates.module';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { JobsModule } from './jobs/jobs.module';
import { OrgsModule } from './orgs/orgs.module';
import { CrmModule } from './crm/crm.module';
import { OverviewModule } from './overview/overview.module';
import { RpsModule } from './rps/rps.module';
import { UserMappingsModule } from './user-mappings/user-mappings.module';
import { TicketsModule } from './tickets/tickets.module';
import { SecretsModule } from './secrets/secrets.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        DatabaseModule.forRoot(),
        SecretsModule,
        MetricsModule,
        JobsModule,
        AdminAuditModule,
        AuthModule,
        HealthModule,
        CertificatesModule,
        TicketsModule,
        OrgsModule,
        UserMappingsModule,
        CrmModule,
        RpsModule,
        OverviewModule,
        AdminUsersModule,
        ApiKeysModule,
        AuditModule,
      ],
    };
  }
}

export { APP_CONFIG };
