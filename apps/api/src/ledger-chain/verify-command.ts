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

/**
 * `npm run audit:verify`: verifies every org's ledger chain in the database at `databaseUrl` (read only, one
 * org after the other, each streamed through a cursor), prints one line per org, and returns the exit code:
 * 0 when every chain verifies, 1 when one breaks.
 */
export async function runVerifyCommand(databaseUrl: string, print: (line: string) => void): Promise<number> {
  const ds = createDataSource(databaseUrl, ENTITIES, { poolSize: 2 });
  await ds.initialize();
  try {
    const ledger = new LedgerService(ledgerRepositoryFor(ds), { instanceId: 'audit-verify' });
    const orgs = await ledger.orgsWithChain();
    let broken = 0;
    for (const orgId of orgs) {
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
