import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AdminAccountsRepository } from './admin-accounts.repository';
import { AdminUserEntity } from './admin-user.entity';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginRateLimiter } from './login-rate-limiter';
import { SessionEntity } from './session.entity';

/**
 * Sign-in, sessions, API keys and the global guard. The auth context owns the credentials' tables
 * (`admin_users`, `sessions`, `api_keys`): the admin-users and api-keys contexts, which manage those
 * accounts and keys from the console, read and write them through the repositories exported here, never
 * through the entities. Neither imports the other way, so there is no module cycle.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AdminUserEntity, SessionEntity, ApiKeyEntity]), AdminAuditModule],
  controllers: [AuthController],
  providers: [
    AdminAccountsRepository,
    ApiKeysRepository,
    {
      provide: LoginRateLimiter,
      inject: [DataSource, APP_CONFIG],
      useFactory: (db: DataSource, config: AppConfig) =>
        LoginRateLimiter.onPostgres(db, config.loginRateLimitPerMinute),
    },
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, AdminAccountsRepository, ApiKeysRepository],
})
export class AuthModule {}
