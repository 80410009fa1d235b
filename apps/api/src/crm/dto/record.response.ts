import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { AttributeValue, Entity, Lookup, WhoAmIResult } from '@onbehalf/crm-auth';
import { type Same, type SameShape } from '../../common/api-responses';
import type { CrmCallsService } from '../crm-calls.service';
import type { ReconcileReport } from '../reconcile.service';

/** A CRM reference (lookup, owner, customer). */
export class CrmLookupDto {
  @ApiProperty({ type: String, description: 'Lower-case GUID without braces.' })
  id: string;

  @ApiProperty({ type: String, description: 'Logical name of the referenced entity, e.g. systemuser.' })
  type: string;

  @ApiPropertyOptional({ type: String })
  name?: string;
}

/** An attribute's value: its text, a lookup, or an activity-party list (one object per party). */
const ATTRIBUTE_VALUE = {
  oneOf: [
    { type: 'string' },
    { $ref: getSchemaPath(CrmLookupDto) },
    {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: { oneOf: [{ type: 'string' }, { $ref: getSchemaPath(CrmLookupDto) }] },
      },
    },
  ],
};

/** A CRM record: its logical name and one value per attribute. */
@ApiExtraModels(CrmLookupDto)
export class CrmRecordDto {
  @ApiProperty({ type: String, example: 'account' })
  logicalName: string;

  @ApiProperty({ type: 'object', additionalProperties: ATTRIBUTE_VALUE })
  attributes: Record<string, AttributeValue>;
}

/** GET /orgs/:id/records/:entity/:recordId. */
export class RetrievedRecordDto {
  @ApiProperty({ type: () => CrmRecordDto })
  entity: CrmRecordDto;
}

/** GET /orgs/:id/records/:entity: one page of records. */
export class RecordPageDto {
  @ApiProperty({ type: () => CrmRecordDto, isArray: true })
  items: CrmRecordDto[];

  @ApiProperty({ type: Boolean })
  moreRecords: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `pagingCookie` for the next page.' })
  pagingCookie: string | null;
}

/** POST /orgs/:id/records/:entity. */
export class CreatedRecordDto {
  @ApiProperty({ type: String, format: 'uuid', description: "The new record's id in CRM." })
  id: string;

  @ApiProperty({ type: String, description: 'The call in the ledger (GET /audit).' })
  ledgerId: string;
}

/** PATCH /orgs/:id/records/:entity/:recordId. */
export class UpdatedRecordDto {
  @ApiProperty({ type: String, description: 'The call in the ledger (GET /audit).' })
  ledgerId: string;
}

/** POST /orgs/:id/whoami: the CRM user the call ran as. */
export class WhoAmIResultDto {
  @ApiProperty({ type: String, format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String, format: 'uuid' })
  businessUnitId: string;

  @ApiProperty({ type: String, format: 'uuid' })
  organizationId: string;
}

/** A change CRM holds that the ledger does not know. */
export class UnknownChangeDto {
  @ApiProperty({ type: String })
  entity: string;

  @ApiProperty({ type: String, format: 'uuid' })
  recordId: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  modifiedon: string | null;
}

/** A Create whose reply was lost, linked to the record CRM holds for it. */
export class LinkedLostReplyDto {
  @ApiProperty({ type: String })
  entity: string;

  @ApiProperty({ type: String, format: 'uuid' })
  recordId: string;

  @ApiProperty({ type: String, format: 'uuid', description: "The Create's ledger row." })
  ledgerId: string;

  @ApiProperty({
    enum: ['id', 'inference'],
    description:
      "How the link was made: 'id', the record id a keyed Create named (no other row names the record); 'inference', the only record of the entity created as the Create asked while it could have run (probable, not sure: a Create that never reached CRM is then linked to another record created so).",
  })
  by: 'id' | 'inference';
}

/**
 * An unknown change that more than one lost Create could explain (or whose Create could explain another too); or a
 * record two keyed lost Creates both named (then not an unknown change).
 */
export class AmbiguousChangeDto {
  @ApiProperty({ type: String })
  entity: string;

  @ApiProperty({ type: String, format: 'uuid' })
  recordId: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    isArray: true,
    description: 'The ledger rows that could be its Create.',
  })
  ledgerIds: string[];
}

/** POST /orgs/:id/reconcile. */
export class ReconcileReportDto {
  @ApiProperty({ type: Number })
  checked: number;

  @ApiProperty({ type: Number })
  match: number;

  @ApiProperty({ type: Number })
  mismatch: number;

  @ApiProperty({ type: Number })
  missing: number;

  @ApiProperty({
    type: Number,
    description:
      'Calls made on behalf of a user that the platform ran without the on-behalf stamp (not-stamped)',
  })
  notStamped: number;

  @ApiProperty({ type: Number })
  unknownChanges: number;

  @ApiProperty({ type: Number })
  pendingResolved: number;

  @ApiProperty({ type: () => UnknownChangeDto, isArray: true })
  unknown: UnknownChangeDto[];

  @ApiProperty({ type: () => LinkedLostReplyDto, isArray: true })
  linked: LinkedLostReplyDto[];

  @ApiProperty({ type: () => AmbiguousChangeDto, isArray: true })
  ambiguous: AmbiguousChangeDto[];
}

type Reply<M extends keyof CrmCallsService> = CrmCallsService[M] extends (...a: never[]) => infer R
  ? Awaited<R>
  : never;

export type RecordReplyChecks = [
  Same<SameShape<CrmLookupDto, Lookup>>,
  Same<SameShape<CrmRecordDto, Entity>>,
  Same<SameShape<RetrievedRecordDto, Reply<'retrieve'>>>,
  Same<SameShape<RecordPageDto, Reply<'list'>>>,
  Same<SameShape<UpdatedRecordDto, Reply<'update'>>>,
  Same<SameShape<WhoAmIResultDto, WhoAmIResult>>,
  Same<SameShape<WhoAmIResultDto, Reply<'whoAmI'>>>,
  Same<SameShape<ReconcileReportDto, ReconcileReport>>,
];
