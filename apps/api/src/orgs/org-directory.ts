import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { OrgEntity } from './org.entity';

/** An org as other contexts read it: the orgs table's row, read only. */
export type OrgRecord = Readonly<OrgEntity>;

/**
 * How the other contexts (tickets, calls, reconciliation, the overview) read orgs: through this service,
 * never through the orgs context's entity. Writes stay with OrgsService and OnboardingService.
 */
@Injectable()
export class OrgDirectory {
  constructor(@InjectRepository(OrgEntity) private readonly orgs: Repository<OrgEntity>) {}

  /** One org, or null when there is none with this id. */
  find(orgId: string): Promise<OrgRecord | null> {
    return this.orgs.findOne({ where: { id: orgId } });
  }

  /** Every org, by friendly name. */
  list(): Promise<OrgRecord[]> {
    return this.orgs.find({ order: { friendlyName: 'ASC' } });
  }

  /** The orgs that serve calls (onboarded and not failed). */
  active(): Promise<OrgRecord[]> {
    return this.orgs.find({ where: { status: 'active' } });
  }
}
