import { Injectable } from '@nestjs/common';
import type { OnboardingRunEntity } from './onboarding-run.entity';
import { OrgEntity } from './org.entity';
import { OrgsRepository } from './orgs.repository';

/** An org as other contexts read it: the orgs table's row, read only. */
export type OrgRecord = Readonly<OrgEntity>;

/** How an org's newest onboarding run ended (or that it is still running). */
export type RunStatus = OnboardingRunEntity['status'];

/**
 * How the other contexts (tickets, calls, reconciliation, the overview) read orgs: through this service,
 * never through the orgs context's entities or its repository. Writes stay with OrgsService and OnboardingService.
 */
@Injectable()
export class OrgDirectory {
  constructor(private readonly repo: OrgsRepository) {}

  /** One org, or null when there is none with this id. */
  find(orgId: string): Promise<OrgRecord | null> {
    return this.repo.findById(orgId);
  }

  /** Every org, by friendly name. */
  list(): Promise<OrgRecord[]> {
    return this.repo.listByName();
  }

  /** The orgs that serve calls (onboarded and not failed). */
  active(): Promise<OrgRecord[]> {
    return this.repo.listActive();
  }

  /** The status of each org's newest onboarding run, by org id (an org without a run is absent). */
  latestRunStatuses(): Promise<ReadonlyMap<string, RunStatus>> {
    return this.repo.latestRunStatuses();
  }
}
