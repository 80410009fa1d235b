import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { CallOutcome, Reconciliation } from '../../crm/ledger.types';
import type { AdminAuditItem } from '../audit.service';
import type { LedgerItem, Ref } from '../ledger-item';

export const CALL_OUTCOME_VALUES = ['pending', 'completed', 'failed'] as const;
export const RECONCILIATION_VALUES = ['match', 'mismatch', 'missing', 'not-stamped', 'unverified'] as const;

/** A CRM user as the ledger recorded it; either part may be unknown. */
export class RefDto {
  @ApiProperty({ type: String, nullable: true })
  id: string | null;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class LedgerOrgDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  friendlyName: string | null;
}

export class LedgerOnBehalfOfDto extends RefDto {
  @ApiProperty({ type: String, nullable: true })
  puid: string | null;
}

/** CRM's own stamps on the record, read back by reconciliation. */
export class CrmStampsDto {
  @ApiProperty({ type: () => RefDto, nullable: true })
  createdby: RefDto | null;

  @ApiProperty({ type: () => RefDto, nullable: true })
  createdonbehalfby: RefDto | null;

  @ApiProperty({ type: () => RefDto, nullable: true })
  modifiedby: RefDto | null;

  @ApiProperty({ type: () => RefDto, nullable: true })
  modifiedonbehalfby: RefDto | null;
}

/** One impersonated call in the ledger. */
export class LedgerItemDto {
  @ApiProperty({ type: String })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: () => LedgerOrgDto })
  org: LedgerOrgDto;

  @ApiProperty({ type: String })
  operation: string;

  @ApiProperty({ type: String, nullable: true })
  entity: string | null;

  @ApiProperty({ type: String, nullable: true })
  recordId: string | null;

  @ApiProperty({ enum: CALL_OUTCOME_VALUES, enumName: 'LedgerOutcome' })
  outcome: CallOutcome;

  @ApiProperty({ type: String, nullable: true })
  errorCode: string | null;

  @ApiProperty({ type: Number, nullable: true })
  latencyMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({ type: () => RefDto })
  serviceAccount: RefDto;

  @ApiProperty({ type: () => LedgerOnBehalfOfDto, nullable: true })
  onBehalfOf: LedgerOnBehalfOfDto | null;

  @ApiProperty({ type: () => CrmStampsDto, nullable: true })
  crm: CrmStampsDto | null;

  @ApiProperty({ enum: RECONCILIATION_VALUES, enumName: 'Reconciliation' })
  reconciliation: Reconciliation;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why reconciliation said so; null when it matched or has not run.',
  })
  reconciliationNote: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      "A Create whose reply was lost, linked by reconciliation to the record CRM created for it: that record's id (recordId stays what the call path wrote). Null otherwise.",
  })
  linkedRecordId: string | null;
}

/** GET /audit: a page of the ledger, newest first. */
export class LedgerPageDto {
  @ApiProperty({ type: () => LedgerItemDto, isArray: true })
  items: LedgerItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page.' })
  nextCursor: string | null;
}

/** GET /orgs/:id/calls: the org's recent calls. */
export class LedgerListDto {
  @ApiProperty({ type: () => LedgerItemDto, isArray: true })
  items: LedgerItemDto[];
}

export class AdminAuditActorDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  id: string | null;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;
}

/** One thing an administrator did in Onbehalf itself. */
export class AdminAuditItemDto {
  @ApiProperty({ type: String })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: () => AdminAuditActorDto })
  actor: AdminAuditActorDto;

  @ApiProperty({ type: String })
  action: string;

  @ApiProperty({ type: String, nullable: true })
  target: string | null;

  @ApiProperty({ enum: ['success', 'failure'] })
  outcome: 'success' | 'failure';

  @ApiProperty({ type: String, nullable: true })
  ip: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  orgId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  diff: Record<string, unknown> | null;
}

export class AdminAuditPageDto {
  @ApiProperty({ type: () => AdminAuditItemDto, isArray: true })
  items: AdminAuditItemDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export type AuditReplyChecks = [
  Same<SameShape<(typeof CALL_OUTCOME_VALUES)[number], CallOutcome>>,
  Same<SameShape<(typeof RECONCILIATION_VALUES)[number], Reconciliation>>,
  Same<SameShape<RefDto, Ref>>,
  Same<SameShape<LedgerItemDto, LedgerItem>>,
  Same<SameShape<AdminAuditItemDto, AdminAuditItem>>,
];
