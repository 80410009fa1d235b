import type { LedgerChainCursor, LedgerChainRow } from '../crm/ledger.repository';
import type { ChainVerdict } from './chain-verifier';
import { walkChain } from './chain-verifier';

/** Rows per FETCH while verifying: bounds the memory a chain of any length takes. */
export const VERIFY_BATCH = 1000;

/** The cursor's rows one FETCH of `batch` at a time, as one stream. */
export async function* cursorRows(
  cursor: Pick<LedgerChainCursor, 'fetch'>,
  batch = VERIFY_BATCH,
): AsyncGenerator<LedgerChainRow> {
  for (;;) {
    const rows = await cursor.fetch(batch);
    yield* rows;
    if (rows.length < batch) return;
  }
}

/** Verifies one org's chain from a cursor opened by `open`, and always closes it. */
export async function verifyFromCursor(
  open: () => Promise<LedgerChainCursor>,
  batch = VERIFY_BATCH,
): Promise<ChainVerdict> {
  const cursor = await open();
  try {
    return await walkChain(cursor.head, cursorRows(cursor, batch));
  } finally {
    await cursor.close();
  }
}
