import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OnboardingRunEntity } from './onboarding-run.entity';
import { OrgDirectory } from './org-directory';
import { OrgEntity } from './org.entity';
import { OrgsRepository } from './orgs.repository';

/**
 * The orgs context's read side, as a module of its own: tickets and calls depend on it, and OrgsModule
 * depends on them, so the read side cannot live in OrgsModule without a cycle. It exports OrgDirectory only:
 * the repository (and the entities) stay inside the orgs context.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OrgEntity, OnboardingRunEntity])],
  providers: [OrgsRepository, OrgDirectory],
  exports: [OrgDirectory],
})
export class OrgDirectoryModule {}
