import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrgDirectory } from './org-directory';
import { OrgEntity } from './org.entity';

/**
 * The orgs context's read side, as a module of its own: tickets and calls depend on it, and OrgsModule
 * depends on them, so the read side cannot live in OrgsModule without a cycle.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OrgEntity])],
  providers: [OrgDirectory],
  exports: [OrgDirectory],
})
export class OrgDirectoryModule {}
