import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** CRM 4.0's steps, then Dataverse's own (`token`, `delegate`); `whoami` and `test-write` are both platforms'. */
export type StepName =
  | 'policy'
  | 'wlid-ticket'
  | 'organizations'
  | 'crm-ticket'
  | 'whoami'
  | 'proxy-role'
  | 'test-write'
  | 'token'
  | 'delegate';

export interface OnboardingStep {
  name: StepName;
  title: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  durationMs: number | null;
  detail: string | null;
  error?: { code: string; message: string; hint: string };
}

@Entity({ name: 'onboarding_runs' })
export class OnboardingRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'org_id' })
  orgId: string;

  @Column('text')
  status: 'running' | 'succeeded' | 'failed';

  @Column('jsonb')
  steps: OnboardingStep[];

  @Column('timestamptz', { name: 'started_at', default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('uuid', { name: 'started_by', nullable: true })
  startedBy: string | null;
}
