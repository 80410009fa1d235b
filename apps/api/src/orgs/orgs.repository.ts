import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { OnboardingRunEntity } from './onboarding-run.entity';
import { OrgEntity } from './org.entity';

/** What a new org's row holds; the database fills in the rest. */
export type NewOrgRow = Pick<OrgEntity, 'friendlyName' | 'certificateId' | 'status'> &
  Partial<Pick<OrgEntity, 'kind' | 'discoveryUrl' | 'tenant' | 'environmentUrl' | 'clientId'>>;

/** The fields of an org that its services change (each change stamps `updatedAt` with them). */
export type OrgPatch = Partial<Omit<OrgEntity, 'id' | 'createdAt'>>;

/** What a new onboarding run's row holds. */
export type NewRunRow = Pick<OnboardingRunEntity, 'orgId' | 'status' | 'steps' | 'startedBy'>;

/** The fields of a run that change as it goes. */
export type RunPatch = Partial<Pick<OnboardingRunEntity, 'status' | 'steps' | 'finishedAt'>>;

/**
 * Every query of the orgs context (`orgs`, `onboarding_runs`). The services hold the rules; this holds the SQL.
 * Other contexts read orgs through OrgDirectory, which reads through this. `transaction` hands the callback
 * a copy bound to the transaction, and its manager (the audit row goes in the same transaction).
 */
@Injectable()
export class OrgsRepository {
  constructor(
    @InjectRepository(OrgEntity) private readonly orgs: Repository<OrgEntity>,
    @InjectRepository(OnboardingRunEntity) private readonly runs: Repository<OnboardingRunEntity>,
  ) {}

  transaction<T>(work: (tx: OrgsRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    return this.orgs.manager.transaction((m) =>
      work(new OrgsRepository(m.getRepository(OrgEntity), m.getRepository(OnboardingRunEntity)), m),
    );
  }

  // ---- orgs

  findById(id: string): Promise<OrgEntity | null> {
    return this.orgs.findOne({ where: { id } });
  }

  /** Oldest first, as the console lists them. */
  listByCreation(): Promise<OrgEntity[]> {
    return this.orgs.find({ order: { createdAt: 'ASC' } });
  }

  /** By friendly name, as the other contexts (and the overview) list them. */
  listByName(): Promise<OrgEntity[]> {
    return this.orgs.find({ order: { friendlyName: 'ASC' } });
  }

  /** The orgs that serve calls. */
  listActive(): Promise<OrgEntity[]> {
    return this.orgs.find({ where: { status: 'active' } });
  }

  /** An org from the same discovery service whose friendly name equals this one, case aside. */
  findDuplicate(discoveryUrl: string, friendlyName: string): Promise<OrgEntity | null> {
    return this.orgs
      .createQueryBuilder('o')
      .where('o.discovery_url = :u AND lower(o.friendly_name) = lower(:n)', {
        u: discoveryUrl,
        n: friendlyName,
      })
      .getOne();
  }

  /** The Dataverse org of this environment, its URL compared case aside (orgs_environment_uq). */
  findEnvironment(environmentUrl: string): Promise<OrgEntity | null> {
    return this.orgs
      .createQueryBuilder('o')
      .where(`o.kind = 'dataverse' AND lower(o.environment_url) = lower(:u)`, { u: environmentUrl })
      .getOne();
  }

  /** Inserts an org; returns the row with its id and timestamps. */
  insert(row: NewOrgRow): Promise<OrgEntity> {
    return this.orgs.save(row) as Promise<OrgEntity>;
  }

  async update(id: string, patch: OrgPatch): Promise<void> {
    await this.orgs.update({ id }, patch);
  }

  // ---- onboarding runs

  /**
   * Inserts a run; returns it with its id. A second running run of the same org fails with 23505 (a unique
   * index on running runs), which the caller turns into ONBOARDING_RUNNING.
   */
  insertRun(row: NewRunRow): Promise<OnboardingRunEntity> {
    return this.runs.save(row) as Promise<OnboardingRunEntity>;
  }

  async updateRun(id: string, orgId: string, patch: RunPatch): Promise<void> {
    await this.runs.update({ id, orgId }, patch as never);
  }

  /** One run of an org; throws (EntityNotFoundError) when there is none. */
  getRun(id: string, orgId: string): Promise<OnboardingRunEntity> {
    return this.runs.findOneByOrFail({ id, orgId });
  }

  /** An org's newest run, or null when it has none. */
  latestRun(orgId: string): Promise<OnboardingRunEntity | null> {
    return this.runs.findOne({ where: { orgId }, order: { startedAt: 'DESC' } });
  }

  /** Fails an org's runs still "running" after 5 minutes: left so by an instance that crashed. */
  async failStaleRuns(orgId: string): Promise<void> {
    await this.runs.query(
      `UPDATE onboarding_runs SET status = 'failed', finished_at = now() WHERE org_id = $1 AND status = 'running' AND started_at < now() - interval '5 minutes'`,
      [orgId],
    );
  }

  /** The status of each org's newest run, one query for every org (the overview). */
  async latestRunStatuses(): Promise<Map<string, OnboardingRunEntity['status']>> {
    const rows = (await this.runs.query(
      `SELECT DISTINCT ON (org_id) org_id, status FROM onboarding_runs ORDER BY org_id, started_at DESC`,
    )) as { org_id: string; status: OnboardingRunEntity['status'] }[];
    return new Map(rows.map((r) => [r.org_id, r.status]));
  }
}
