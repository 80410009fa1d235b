import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { type Same, type SameShape } from '../../common/api-responses';
import type { ChainBreak, ChainBreakKind } from '../../ledger-chain/chain-verifier';
import type { OrgChainVerdict } from '../../ledger-chain/ledger-chain.service';

export const CHAIN_BREAK_KINDS = ['changed', 'deleted', 'inserted', 'reordered'] as const;

/** GET /audit/verify's parameters. */
export class ChainVerifyQueryDto {
  @ApiProperty({ format: 'uuid', description: 'The org whose ledger chain to verify' })
  @IsUUID()
  orgId: string;
}

/** The first place an org's ledger chain breaks. */
export class ChainBreakDto {
  @ApiProperty({
    enum: CHAIN_BREAK_KINDS,
    enumName: 'ChainBreakKind',
    description:
      'changed: a sealed row no longer hashes to its hash; deleted: a seq is missing, or the head is beyond the last row; ' +
      'inserted: a row the chain does not account for; reordered: rows that exchanged places.',
  })
  kind: ChainBreakKind;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The row; null when it is gone.',
  })
  rowId: string | null;

  @ApiProperty({
    type: String,
    example: '42',
    description: 'Its chain seq (decimal), or the first missing one.',
  })
  seq: string;

  @ApiProperty({ type: String, description: 'What the verifier saw there.' })
  detail: string;
}

/** GET /audit/verify: an org's ledger chain recomputed from its first sealed row to its head. */
export class ChainVerdictDto {
  @ApiProperty({ type: String, format: 'uuid' })
  orgId: string;

  @ApiProperty({ type: Number, description: 'Sealed rows that verified, before the break if there is one.' })
  rows: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the last row that verified was sealed (UTC, microseconds); null when none did.',
  })
  verifiedThrough: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The head's seq; null when the org has no chain yet.",
  })
  headSeq: string | null;

  @ApiProperty({
    type: () => ChainBreakDto,
    nullable: true,
    description: 'The first break; null when the chain verifies.',
  })
  break: ChainBreakDto | null;
}

export type ChainVerifyReplyChecks = [
  Same<SameShape<(typeof CHAIN_BREAK_KINDS)[number], ChainBreakKind>>,
  Same<SameShape<ChainBreakDto, ChainBreak>>,
  Same<SameShape<ChainVerdictDto, OrgChainVerdict>>,
];
