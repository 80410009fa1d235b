import { ledgerRepositoryFor } from '../crm/ledger.repository';
import { LedgerService } from '../crm/ledger.service';
import { createDataSource } from '../database/data-source';
import { ENTITIES } from '../database/entities';
import { verifyFromCursor } from './chain-reader';
import type { ChainVerdict } from './chain-verifier';

/** One line per org: what verified, or the first break with its row, seq and kind. */
export function verdictLine(orgId: string, v: ChainVerdict): string {
  if (!v.break)
    return `org ${orgId}: ok, ${v.rows} rows verified through ${v.verifiedThrough ?? '(nothing sealed yet)'}`;
  const b = v.break;
  return (
    `org ${orgId}: BROKEN at seq ${b.seq}${b.rowId ? ` (row ${b.rowId})` : ''}: ${b.kind}: ${b.detail}` +
    ` (${v.rows} rows verified before it, through ${v.verifiedThrough ?? 'none'})`
  );
}

/** An org whose sealed rows and head disagree on whether its chain exists (LedgerRepository.chainWithoutHeadOrRows). */
export function headlessLine(m: { orgId: string; sealedRows: number; headSeq: string | null }): string {
  return m.headSeq === null
    ? `org ${m.orgId}: BROKEN: ${m.sealedRows} sealed row${m.sealedRows === 1 ? '' : 's'} and no chain head (the head was deleted)`
    : `org ${m.orgId}: BROKEN: the chain head is at seq ${m.headSeq} and no sealed row is left (the rows were deleted)`;
}

/**
 * `npm run audit:verify`: verifies every org's ledger chain in the database at `databaseUrl` (read only, one
 * org after the other, each streamed through a cursor), prints one line per org, and returns the exit code:
 * 0 when every chain verifies, 1 when one breaks. Orgs with sealed rows but no head, or a head but no sealed
 * row, are reported first, as broken, from one query (their walk would only say the same less plainly).
 */
export async function runVerifyCommand(databaseUrl: string, print: (line: string) => void): Promise<number> {
  const ds = createDataSource(databaseUrl, ENTITIES, { poolSize: 2 });
  await ds.initialize();
  try {
    const repo = ledgerRepositoryFor(ds);
    const ledger = new LedgerService(repo, { instanceId: 'audit-verify' });
    const orgs = await ledger.orgsWithChain();
    const headless = await repo.chainWithoutHeadOrRows();
    for (const m of headless) print(headlessLine(m));
    const reported = new Set(headless.map((m) => m.orgId));
    let broken = headless.length;
    for (const orgId of orgs) {
      if (reported.has(orgId)) continue;
      const v = await verifyFromCursor(() => ledger.openChainCursor(orgId));
      if (v.break) broken++;
      print(verdictLine(orgId, v));
    }
    print(
      broken
        ? `${broken} of ${orgs.length} org chains are broken`
        : `${orgs.length} org chain${orgs.length === 1 ? '' : 's'} verified`,
    );
    return broken ? 1 : 0;
  } finally {
    await ds.destroy();
  }
}
